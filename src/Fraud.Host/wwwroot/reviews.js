// The Reviews page: the queue of transactions a review rule sent to the review topic, oldest first; one review's
// explanation and the account's recent history; and the analyst's decision, written to the decision topic.
"use strict";
let current = null; // the review shown on the right

function age(seconds) {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

async function refreshQueue() {
  const queue = await (await get("/api/reviews?limit=100")).json();
  $("queue-state").textContent = `${queue.open} open`;
  $("queue-age").textContent = queue.open ? `oldest waiting ${age(queue.oldestAgeSeconds)}` : "";
  showBanner("queue-banner", !queue.caughtUp ? "This node is still reading the review topic: the queue may be missing reviews."
    : queue.unlisted ? `${queue.unlisted} more open reviews than this node lists (Reviews:MaxOpen).` : null);
  const tbody = $("reviews").tBodies[0];
  rows(tbody, queue.reviews, r => [age(r.ageSeconds), r.account, `${r.amount} ${r.currency}`, r.rules.join(", "), reviewLink(r)]);
  [...tbody.rows].forEach((tr, i) => { tr.dataset.transaction = queue.reviews[i].transactionId; });
  rows($("rule-decisions").tBodies[0], queue.rules, r => [r.rule, r.fraud, r.legit, r.precision ?? ""]);
}

function reviewLink(review) {
  const a = document.createElement("span");
  a.className = "link";
  a.textContent = review.transactionId;
  a.addEventListener("click", () => show(review));
  return a;
}

async function show(review) {
  current = review;
  const tx = review.output, verdict = tx.verdict;
  $("review-title").textContent = `Review of ${review.transactionId}`;
  $("review-hint").hidden = true;
  $("review-detail").hidden = false;
  $("decision-result").textContent = "";
  const fields = ["source", "target", "amount", "currency", "timestamp", "merchantCategory", "country", "deviceId"];
  rows($("review-fields").tBodies[0], fields.filter(f => tx[f] !== undefined), f => [f, String(tx[f])]);
  $("review-why").replaceChildren(...verdict.rules.map(hit => {
    const li = document.createElement("li");
    const values = Object.entries(hit.values ?? {}).map(([expression, value]) => `${expression} = ${value}`).join("; ");
    li.textContent = `${hit.id} (version ${hit.version}): ${values || `${hit.observed} / ${hit.limit}`}`;
    return li;
  }));
  const history = $("review-history");
  history.textContent = "…";
  if (review.partition === null) {
    history.textContent = "unknown: the review does not say which partition holds the account";
    return;
  }
  const detail = await (await get(`/api/accounts?${new URLSearchParams({ id: review.account, partition: review.partition })}`)).json();
  history.textContent = detail.error ?? (detail.window.length === 0 ? "nothing in its windows" :
    `its windows hold ${detail.window.length} transactions, latest last: ` + detail.window.slice(-15)
      .map(w => `${new Date(w.timestamp).toLocaleTimeString()} ${w.amount}${w.currency ? " " + w.currency : ""}${w.country ? " in " + w.country : ""}`).join(", "));
}

async function decide(decision) {
  if (!current) return;
  const list = $("decision-list").value.trim();
  const body = { decision, reason: $("decision-reason").value.trim() || null, analyst: $("decision-by").value.trim() || null,
    list: list || null, item: list ? $("decision-item").value : null };
  const result = $("decision-result");
  result.className = "muted";
  result.textContent = "writing…";
  const { ok, answer } = await send("POST", `/api/reviews/${encodeURIComponent(current.transactionId)}`, body);
  result.className = ok ? "ok" : "error";
  result.textContent = ok ? answer.changes.join("; ") : answer.error;
  if (ok) refreshQueue();
}

async function refreshLists() {
  const lists = await (await get("/api/lists")).json();
  $("known-lists").replaceChildren(...lists.map(l => Object.assign(document.createElement("option"), { value: l.name })));
}

$("decide-legit").addEventListener("click", () => decide("legit"));
$("decide-fraud").addEventListener("click", () => decide("fraud"));
refreshQueue();
refreshLists();
fetchCluster();
setInterval(refreshQueue, 2000);
setInterval(fetchCluster, 10000);
