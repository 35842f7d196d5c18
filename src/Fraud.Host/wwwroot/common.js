// What every page of the dashboard shares: queries that go back to the login when the session ends, table rows, and
// the banner that says when the nodes have run different rule sets for more than a few seconds.
"use strict";
const $ = id => document.getElementById(id);
const disagreementSeconds = 10; // a change reaches every node within 2 s; reports travel every 2 s

async function get(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (response.status === 401) {
    window.location.assign("/login");
    throw new Error("not logged in");
  }
  return response;
}

// A change: JSON in, JSON out (the admin API's error says why in one line).
async function send(method, url, body) {
  const response = await fetch(url, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  return { ok: response.ok, status: response.status, answer };
}

function rows(tbody, items, render) {
  tbody.replaceChildren(...items.map(item => {
    const tr = document.createElement("tr");
    render(item).forEach(cell => {
      const td = document.createElement("td");
      if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell;
      tr.appendChild(td);
    });
    return tr;
  }));
}

function showBanner(id, text) {
  const banner = $(id);
  banner.hidden = !text;
  banner.textContent = text ?? "";
}

// The cluster as /api/cluster reports it; the banner when its nodes disagree on the rule set, or one refused a change.
async function fetchCluster() {
  const cluster = await (await get("/api/cluster")).json();
  const versions = cluster.nodes.filter(n => n.report?.ruleSet).map(n => `${n.report.node} ${n.report.ruleSet}`);
  const refused = cluster.nodes.filter(n => n.report?.ruleProblem).map(n => `${n.report.node}: ${n.report.ruleProblem}`);
  const disagreeing = cluster.disagreeingSeconds >= disagreementSeconds
    ? `The nodes have run different rule sets for ${Math.round(cluster.disagreeingSeconds)} s (${versions.join(", ")}).` : "";
  showBanner("cluster-banner", [disagreeing, ...refused].filter(t => t).join(" ") || null);
  return cluster;
}
