// The dashboard's "Requests" panel: the newest requests the simulator answered.
//
// It polls GET /_sim/requests on its own (the platform's surfaces, the newest
// REQUESTS_SHOWN) and rebuilds its rows only when they changed, so it needs
// nothing from dashboard.js. Reads of the control API are not in the log.
"use strict";

(() => {
  const REQUESTS_SHOWN = 25;
  const REQUESTS_POLL_MS = 1000;
  const token = new URLSearchParams(window.location.search).get("token");
  const body = document.querySelector("#requests tbody");
  let shown = "";

  function statusClass(status) {
    if (status >= 500) return "http-5xx";
    if (status >= 400) return "http-4xx";
    if (status >= 300) return "http-3xx";
    return "http-2xx";
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function render(entries) {
    const key = entries.map((e) => e.seq).join(",");
    if (key === shown) return;
    shown = key;
    body.replaceChildren();
    for (const entry of entries.slice().reverse()) {
      const row = body.insertRow();
      row.dataset.seq = entry.seq;
      cell(row, `#${entry.seq}`, "seq");
      cell(row, `${Number(entry.time).toFixed(1)} s`, "time");
      cell(row, entry.method, "method");
      const path = cell(row, entry.path + (entry.query ? `?${entry.query}` : ""), "path");
      path.title = entry.route || "";
      cell(row, String(entry.status), `http-status ${statusClass(entry.status)}`);
    }
    document.querySelector("#requests-empty").hidden = entries.length > 0;
  }

  async function poll() {
    const headers = token ? { "X-Sim-Token": token } : {};
    try {
      const response = await fetch(`/_sim/requests?limit=${REQUESTS_SHOWN}`, { headers });
      if (response.ok) render(await response.json());
    } catch (err) {
      // the main poll shows the connection's state
    }
  }

  poll();
  setInterval(() => {
    if (!document.hidden) poll();
  }, REQUESTS_POLL_MS);
})();
