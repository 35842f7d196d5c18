// The dashboard: one snapshot a second over server-sent events, and small JSON queries for lists.
"use strict";
const historySeconds = 120;
const throughput = new LineChart($("throughput-chart"), [
  { name: "in", color: "#90a4ae" }, { name: "legit", color: "#66bb6a" },
  { name: "fraud", color: "#ef5350" }, { name: "review", color: "#fdd835" },
  { name: "dead-letter", color: "#ffb74d" }], historySeconds);
const latency = new LineChart($("latency-chart"), [
  { name: "p50", color: "#64b5f6" }, { name: "p99", color: "#ba68c8" }], historySeconds);
const knownRules = new Set();
let selectedAccount = null;
let shownVerdicts = "";

function addSnapshot(s) {
  const t = new Date(s.time);
  throughput.push(t, [s.inPerSecond, s.legitPerSecond, s.fraudPerSecond, s.reviewPerSecond, s.deadLetterPerSecond]);
  latency.push(t, [s.p50Ms, s.p99Ms]);
}

function showSnapshot(s) {
  $("rate-in").textContent = formatNumber(s.inPerSecond);
  $("rate-legit").textContent = formatNumber(s.legitPerSecond);
  $("rate-fraud").textContent = formatNumber(s.fraudPerSecond);
  $("rate-review").textContent = formatNumber(s.reviewPerSecond);
  $("total-review").textContent = s.review;
  $("rate-dead").textContent = formatNumber(s.deadLetterPerSecond);
  $("total-in").textContent = s.in;
  $("total-legit").textContent = s.legit;
  $("total-fraud").textContent = s.fraud;
  $("total-dead").textContent = s.deadLetter;
  $("p50").textContent = s.p50Ms.toFixed(1);
  $("p99").textContent = s.p99Ms.toFixed(1);
}

function reasons(rules) {
  const span = document.createElement("span");
  for (const r of rules) {
    const el = document.createElement("span");
    el.className = "rule";
    el.dataset.rule = r.id;
    el.innerHTML = `<b></b>: <i></i>`;
    el.querySelector("b").textContent = r.id;
    el.querySelector("i").textContent = `${r.observed} / ${r.limit}${r.window ? ", " + r.window : ""}`;
    span.appendChild(el);
  }
  return span;
}

function accountCell(id, partition) {
  const a = document.createElement("span");
  a.textContent = id;
  a.addEventListener("click", () => showAccount(id, partition));
  return a;
}

async function refreshVerdicts() {
  const rule = $("rule-filter").value, account = $("account-filter").value.trim();
  const query = new URLSearchParams({ limit: "25" });
  if (rule) query.set("rule", rule);
  if (account) query.set("account", account);
  const text = await (await get("/api/verdicts?" + query)).text();
  if (text === shownVerdicts) return; // unchanged: keep the rows (and a pending click) as they are
  shownVerdicts = text;
  const verdicts = JSON.parse(text).verdicts;
  rows($("verdicts").tBodies[0], verdicts, v => [
    new Date(v.timestamp).toLocaleTimeString(), accountCell(v.account, v.partition), `${v.amount} ${v.currency}`,
    v.country ?? "", v.score.toFixed(2), reasons(v.rules)]);
  for (const td of $("verdicts").querySelectorAll("tbody tr td:nth-child(2)")) td.className = "account";
  $("verdict-count").textContent = `${verdicts.length} shown`;
}

async function showAccount(id, partition) {
  selectedAccount = { id, partition };
  const detail = await (await get(`/api/accounts?${new URLSearchParams({ id, partition })}`)).json();
  const box = $("account-detail");
  box.className = "";
  box.replaceChildren();
  const title = document.createElement("h3");
  title.id = "account-title";
  title.textContent = `${detail.account}${detail.node ? ` (partition ${detail.partition}, on ${detail.node})` : ""}`;
  box.appendChild(title);
  const verdicts = document.createElement("table");
  verdicts.id = "account-verdicts";
  verdicts.innerHTML = "<thead><tr><th>time</th><th>amount</th><th>reasons</th></tr></thead><tbody></tbody>";
  rows(verdicts.tBodies[0], detail.verdicts, v => [new Date(v.timestamp).toLocaleTimeString(), `${v.amount} ${v.currency}`, reasons(v.rules)]);
  box.appendChild(verdicts);
  const window = document.createElement("p");
  window.className = "muted";
  window.id = "account-window";
  window.textContent = detail.error ?? `its windows hold ${detail.window.length} transactions: ` +
    detail.window.slice(-10).map(w => `${w.amount}${w.currency ? " " + w.currency : ""}${w.country ? " in " + w.country : ""}`).join(", ");
  box.appendChild(window);
}

async function refreshCluster() {
  const cluster = await fetchCluster();
  rows($("cluster").tBodies[0], cluster.nodes, n => [
    (n.report?.node ?? n.address) + (n.isSelf ? " (this)" : ""), n.status,
    n.report ? n.report.partitions.join(",") || "none" : "?", n.report?.accounts ?? "?",
    (n.report?.ruleSet ?? "?") + (n.report?.ruleProblem ? " (refused a later one)" : "")]);
}

function onTick(message) {
  const data = JSON.parse(message.data);
  addSnapshot(data.snapshot);
  showSnapshot(data.snapshot);
  throughput.draw();
  latency.draw();
  $("node").textContent = "node " + data.node;
  const hits = Object.entries(data.ruleHits);
  rows($("rule-hits").tBodies[0], hits, ([rule, count]) => [rule, count]);
  for (const [rule] of hits) {
    if (!knownRules.has(rule)) {
      knownRules.add(rule);
      const option = document.createElement("option");
      option.value = option.textContent = rule;
      $("rule-filter").appendChild(option);
    }
  }
  rows($("lag").tBodies[0], data.lag, l => [`${l.topic}-${l.partition}`, l.records]);
}

async function start() {
  try {
    for (const s of await (await get("/api/history")).json()) addSnapshot(s);
    throughput.draw();
    latency.draw();
  } catch (e) { /* the stream below fills the charts anyway */ }
  const events = new EventSource("/api/stream");
  events.onopen = () => { $("connection").textContent = "live"; $("connection").className = "badge live"; };
  events.onerror = () => { $("connection").textContent = "reconnecting…"; $("connection").className = "badge"; };
  events.onmessage = onTick;
  $("rule-filter").addEventListener("change", refreshVerdicts);
  $("account-filter").addEventListener("input", refreshVerdicts);
  setInterval(() => refreshVerdicts().catch(() => {}), 1000);
  setInterval(() => refreshCluster().catch(() => {}), 2000);
  setInterval(() => { if (selectedAccount) showAccount(selectedAccount.id, selectedAccount.partition).catch(() => {}); }, 3000);
  refreshVerdicts().catch(() => {});
  refreshCluster().catch(() => {});
  window.addEventListener("resize", () => { throughput.draw(); latency.draw(); });
}

start();
