// The Rules page: the rules every node follows (from the node's copy of the rule topic), an editor that the node checks
// as one types, and saves that write the rule topic through the admin API.
"use strict";
let editing = null; // { id, version } of the rule loaded into the editor; version 0 for a new one
let checking = null;

// The rule a text defines: its id is the word after "rule" (comments may come first).
function idOf(text) {
  const match = /^\s*rule\s+([A-Za-z][A-Za-z0-9_-]*)/m.exec(text);
  return match ? match[1] : null;
}

async function refreshRules() {
  const catalog = await (await get("/api/rules")).json();
  $("rule-set").textContent = catalog.running ? `rule set ${catalog.running}` : "rules from a file";
  $("source").textContent = catalog.source === "topics" ? `read to ${catalog.latest}` : "read-only: Fraud:Rules:Source=file";
  showBanner("rules-problem", catalog.problem);
  const tbody = $("rules").tBodies[0];
  rows(tbody, catalog.rules, r => [ruleLink(r.id), r.version, r.action ?? "?", r.mode ?? "?", r.hitsPerMinute,
    r.at ? new Date(r.at).toLocaleString() : "", r.by ?? (r.problem ? `unreadable: ${r.problem}` : "")]);
  [...tbody.rows].forEach((tr, i) => { tr.dataset.rule = catalog.rules[i].id; tr.className = catalog.rules[i].mode ?? ""; });
  const lists = await (await get("/api/lists")).json();
  rows($("lists").tBodies[0], lists, l => [l.name, l.type ?? "?", l.items, l.problem ?? l.description ?? ""]);
}

function ruleLink(id) {
  const a = document.createElement("span");
  a.className = "link";
  a.textContent = id;
  a.addEventListener("click", () => edit(id));
  return a;
}

async function edit(id) {
  const rule = await (await get(`/api/rules/${encodeURIComponent(id)}`)).json();
  editing = { id: rule.id, version: rule.version };
  $("editor-title").textContent = `Editing ${rule.id}, version ${rule.version}`;
  $("editor-text").value = rule.text ?? "";
  $("editor-mode").value = rule.mode ?? "active";
  $("editor-result").textContent = "";
  check();
}

function newRule() {
  editing = null;
  $("editor-title").textContent = "New rule";
  $("editor-text").value = "rule new-rule: review weight 0.5\n  when amount_ref > 1000";
  $("editor-mode").value = "shadow"; // a new rule watches first
  $("editor-result").textContent = "";
  check();
}

// Asked of the node a moment after the last keystroke: the rule set with this rule compiles, or where it does not.
function check() {
  clearTimeout(checking);
  checking = setTimeout(async () => {
    const text = $("editor-text").value, id = idOf(text), status = $("editor-check");
    if (!id) {
      status.className = "error";
      status.textContent = "a rule starts with: rule ID: ACTION";
      $("editor-save").disabled = true;
      return;
    }
    const { answer } = await send("POST", `/api/rules/${encodeURIComponent(id)}/check`, { rule: text });
    status.className = answer.ok ? "ok" : "error";
    status.textContent = answer.ok ? `${id}: compiles` : answer.line ? `line ${answer.line}, column ${answer.column}: ${answer.error}` : answer.error;
    $("editor-save").disabled = !answer.ok;
  }, 250);
}

async function save() {
  const text = $("editor-text").value, id = idOf(text);
  const by = $("editor-by").value.trim();
  localStorage.setItem("fraud-by", by);
  // The version edited: a save over someone else's newer change is refused (409) instead of undoing it.
  const version = editing && editing.id === id ? editing.version : 0;
  const { ok, answer } = await send("PUT", `/api/rules/${encodeURIComponent(id)}`, { rule: text, mode: $("editor-mode").value, version, by: by || undefined });
  if (ok) {
    await refreshRules();
    await edit(id); // its new version, so that the next save is made to it
  }
  const result = $("editor-result");
  result.className = ok ? "ok" : "error";
  result.textContent = ok ? `${answer.changes.join("; ")}; rule set ${answer.ruleSet}` : answer.error;
}

function start() {
  $("editor-by").value = localStorage.getItem("fraud-by") ?? "";
  $("editor-text").addEventListener("input", check);
  $("editor-save").addEventListener("click", () => save().catch(e => { $("editor-result").textContent = e.message; }));
  $("new-rule").addEventListener("click", newRule);
  refreshRules().catch(() => {});
  fetchCluster().catch(() => {});
  setInterval(() => refreshRules().catch(() => {}), 2000);
  setInterval(() => fetchCluster().catch(() => {}), 2000);
}

start();
