// The simulator's dashboard: polls /_sim/dashboard, draws the datasets, the state
// diagram and the timeline, and drives the clock and the actions. No dependencies.
"use strict";

const COLOURS = {
  idle: "#9aa0a6",
  queued: "#f2a600",
  processing: "#1a73e8",
  deleting: "#8e44ad",
  saving_version: "#00897b",
  aborting_processing: "#e8710a",
  error: "#d93025",
  limit_reached: "#c2185b",
  removed: "#202124",
};
// A harvester's statuses: the datasets' colours where the names are the same.
const HARVESTER_COLOURS = {
  ...COLOURS,
  new: "#dadce0",
  aborting: COLOURS.aborting_processing,
};
const MAX_LINKS = 20;
const POLL_MS = 500;
const MAX_ROWS = 100;
const MAX_LANES = 40;
const SVG_NS = "http://www.w3.org/2000/svg";

const state = {
  generation: null,
  since: 0,
  entries: [],
  datasets: [],
  harvesters: [],
  faults: [],
  clock: null,
  selected: null,
  diagramReady: false,
};

const $ = (selector) => document.querySelector(selector);

// Opened as /_sim/ui?token=..., the page sends the simulator's control token on
// every call; its own calls say so with X-Sim-Control (see simulator/api/guard.py).
const TOKEN = new URLSearchParams(window.location.search).get("token");

async function call(method, path, body) {
  const options = { method, headers: { "X-Sim-Control": "1" } };
  if (TOKEN) {
    options.headers["X-Sim-Token"] = TOKEN;
  }
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) {
    throw new Error(data.message || response.statusText);
  }
  return data;
}

// polling -------------------------------------------------------------------------

async function refresh() {
  let data;
  try {
    data = await call("GET", `/_sim/dashboard?since=${state.since}`);
    $("#connection").textContent = "";
    $("#connection").className = "pill";
  } catch (err) {
    $("#connection").textContent = "disconnected";
    $("#connection").className = "pill bad";
    return;
  }
  if (data.generation !== state.generation) {
    // a new world (a reset, or another scenario): start the timeline over
    const first = state.generation === null;
    state.generation = data.generation;
    state.entries = [];
    state.since = 0;
    if (!first) {
      return refresh();
    }
  }
  state.entries.push(...data.timeline);
  state.since = data.timeline_length;
  state.datasets = data.datasets;
  state.harvesters = data.harvesters || [];
  state.faults = data.faults;
  state.clock = data.clock;
  renderClock();
  renderTable();
  renderDiagram();
  renderHarvesters();
  renderTimeline();
}

// the clock -------------------------------------------------------------------------

function renderClock() {
  const clock = state.clock;
  $("#clock-datetime").textContent = clock.datetime.replace("T", " ").replace("+00:00", " UTC");
  $("#clock-now").textContent = `t = ${formatSeconds(clock.now)}`;
  $("#clock-mode").textContent =
    clock.mode === "realtime"
      ? `playing at ${clock.speed}\u00d7`
      : clock.mode === "step"
        ? "one step per API call"
        : "paused";
  renderSpeed();
}

function formatSeconds(t) {
  if (t < 120) return `${Math.round(t * 10) / 10} s`;
  if (t < 7200) return `${Math.floor(t / 60)} min ${Math.round(t % 60)} s`;
  return `${Math.floor(t / 3600)} h ${Math.round((t % 3600) / 60)} min`;
}

async function clockAction(method, path, body) {
  try {
    await call(method, path, body);
    setMessage("");
  } catch (err) {
    setMessage(err.message, true);
  }
  await refresh();
}

// The speed selector shows the speed in force, however it was set (a speed not in its
// list gets an option of its own); choosing one sets it, playing or paused.
let speedChanges = 0;

function renderSpeed() {
  const select = $("#speed");
  const speed = String(state.clock.speed);
  if (speedChanges > 0 || select.value === speed) return; // a choice on its way wins
  for (const option of select.querySelectorAll("option.speed-other")) option.remove();
  if (![...select.options].some((option) => option.value === speed)) {
    const option = document.createElement("option");
    option.className = "speed-other";
    option.value = speed;
    option.textContent = `${speed}\u00d7`;
    const after = [...select.options].find((o) => Number(o.value) > Number(speed));
    select.insertBefore(option, after || null);
  }
  select.value = speed;
}

function wireSpeed() {
  $("#speed").addEventListener("change", async () => {
    speedChanges += 1;
    try {
      await call("PUT", "/_sim/clock", { speed: Number($("#speed").value) });
      setMessage("");
    } catch (err) {
      setMessage(err.message, true);
    } finally {
      speedChanges -= 1;
    }
    await refresh();
  });
}

// the datasets ----------------------------------------------------------------------

function badge(name) {
  const span = document.createElement("span");
  span.className = "badge";
  span.style.background = COLOURS[name] || "#5f6368";
  span.textContent = name;
  return span;
}

function cell(row, content, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  if (content instanceof Node) td.appendChild(content);
  else td.textContent = content;
  row.appendChild(td);
  return td;
}

// The table's rows, by dataset uid, are made once and updated in place: a row is never
// replaced under the pointer (a click whose press and release land on two different
// elements is no click), and a cell whose value did not change is left alone.
const tableRows = new Map();

function renderTable() {
  const body = $("#datasets tbody");
  const shown = state.datasets.slice(0, MAX_ROWS);
  const kept = new Set();
  shown.forEach((ds, i) => {
    let entry = tableRows.get(ds.dataset_uid);
    if (!entry) {
      entry = datasetRow(ds.dataset_uid);
      tableRows.set(ds.dataset_uid, entry);
    }
    kept.add(ds.dataset_uid);
    updateRow(entry, ds);
    if (body.children[i] !== entry.row) body.insertBefore(entry.row, body.children[i] || null);
  });
  for (const [uid, entry] of tableRows) {
    if (!kept.has(uid)) {
      entry.row.remove();
      tableRows.delete(uid);
    }
  }
  const hidden = state.datasets.length - MAX_ROWS;
  setText($("#more"), hidden > 0 ? `\u2026 and ${hidden} more datasets` : "");
  const current = state.datasets.find((ds) => ds.dataset_uid === state.selected);
  setText($("#selected"), current ? current.dataset_id : "none");
  for (const button of document.querySelectorAll("[data-action]")) {
    button.disabled = !current;
  }
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function datasetRow(uid) {
  const row = document.createElement("tr");
  row.dataset.uid = uid;
  const name = cell(row, "");
  const id = name.appendChild(document.createElement("span"));
  const title = name.appendChild(document.createElement("span"));
  title.className = "dataset-title";
  const status = cell(row, badge(""), "status-public").firstChild;
  const fine = cell(row, "", "fine status-fine");
  const published = cell(row, "", "published");
  const records = cell(row, "", "num records");
  const error = cell(row, "", "error");
  const job = jobCell(cell(row, "", "job"));
  row.addEventListener("click", () => select(uid));
  return { row, id, title, status, fine, published, records, error, job, key: null };
}

function updateRow(entry, ds) {
  entry.row.classList.toggle("selected", ds.dataset_uid === state.selected);
  const key = JSON.stringify(ds);
  if (key === entry.key) return; // nothing shown changed
  entry.key = key;
  entry.row.dataset.id = ds.dataset_id;
  setText(entry.id, ds.dataset_id);
  const titled = ds.title && ds.title !== ds.dataset_id;
  setText(entry.title, titled ? ds.title : "");
  entry.title.style.display = titled ? "" : "none";
  setText(entry.status, ds.public_status);
  entry.status.style.background = COLOURS[ds.public_status] || "#5f6368";
  setText(entry.fine, ds.status);
  setText(entry.published, ds.published ? "yes" : "no");
  setText(entry.records, ds.records.toLocaleString("en"));
  setText(entry.error, ds.error || "");
  updateJob(entry.job, ds.job);
}

// A job's cell: its function, a progress bar while records are counted, "waiting"
// while no worker runs it; made once, shown or hidden part by part.
function jobCell(td) {
  const span = td.appendChild(document.createElement("span"));
  const name = span.appendChild(document.createElement("span"));
  name.className = "job-function";
  const bar = span.appendChild(document.createElement("span"));
  bar.className = "progress";
  const fill = bar.appendChild(document.createElement("span"));
  const waiting = span.appendChild(document.createElement("span"));
  waiting.className = "fine";
  waiting.textContent = "waiting";
  return { name, bar, fill, waiting };
}

function updateJob(parts, job) {
  setText(parts.name, job ? job.function : "");
  const counted = Boolean(job && job.records_total > 0);
  parts.bar.style.display = counted ? "" : "none";
  if (counted) {
    parts.bar.title = `${job.records_done} of ${job.records_total} records`;
    parts.fill.style.width = `${Math.round((100 * job.records_done) / job.records_total)}%`;
  }
  parts.waiting.style.display = job && !job.stage ? "" : "none";
}

function select(uid) {
  state.selected = state.selected === uid ? null : uid;
  renderTable();
  renderDiagram();
}

async function datasetAction(action) {
  const current = state.datasets.find((ds) => ds.dataset_uid === state.selected);
  if (!current) return;
  try {
    const result = await call("POST", `/_sim/datasets/${current.dataset_uid}/actions/${action}`);
    setMessage(result.job_id ? `${action}: job ${result.job_id.slice(0, 12)}` : `${action}: done`);
  } catch (err) {
    setMessage(err.message, true);
  }
  await refresh();
}

function setMessage(text, bad = false) {
  $("#message").textContent = text;
  $("#message").className = bad ? "bad" : "";
}

// the harvesters ------------------------------------------------------------------------

function renderHarvesters() {
  const panel = $("#harvesters-panel");
  panel.hidden = state.harvesters.length === 0;
  if (panel.hidden) return;
  if (!state.harvesterDiagram) {
    state.harvesterDiagram = true;
    loadHarvesterDiagram();
  }
  const rows = state.harvesters.map((h) => {
    const row = document.createElement("tr");
    row.dataset.harvester = h.harvester_id;
    const name = cell(row, h.harvester_id);
    if (h.name !== h.harvester_id) {
      const title = document.createElement("span");
      title.className = "dataset-title";
      title.textContent = h.name;
      name.appendChild(title);
    }
    const status = badge(h.status);
    status.style.background = HARVESTER_COLOURS[h.status] || "#5f6368";
    cell(row, status, "harvester-status");
    const links = cell(row, "", "harvester-datasets");
    for (const ds of h.datasets.slice(0, MAX_LINKS)) {
      const link = document.createElement("a");
      link.href = "#";
      link.className = "dataset-link";
      link.dataset.uid = ds.dataset_uid;
      link.textContent = ds.dataset_id;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        showDataset(ds.dataset_uid);
      });
      links.appendChild(link);
    }
    if (h.datasets.length > MAX_LINKS) {
      links.appendChild(document.createTextNode(`\u2026 and ${h.datasets.length - MAX_LINKS} more`));
    }
    const last = h.moves[h.moves.length - 1];
    cell(
      row,
      last ? `${last.from} \u2192 ${last.to} (${last.cause}) at ${formatSeconds(last.t)}` : "",
      "fine last-move",
    );
    return row;
  });
  $("#harvesters tbody").replaceChildren(...rows);
  const active = new Set(state.harvesters.map((h) => h.status));
  for (const node of document.querySelectorAll("#harvester-diagram .harvester-status")) {
    const name = [...node.classList].find((c) => c.startsWith("harvester-status-")).slice(17);
    node.classList.toggle("active", active.has(name));
  }
}

function showDataset(uid) {
  if (state.selected !== uid) select(uid);
  const row = document.querySelector(`#datasets tbody tr[data-uid="${uid}"]`);
  if (row) row.scrollIntoView({ block: "nearest" });
}

async function loadHarvesterDiagram() {
  const response = await fetch("/_sim/ui/harvester-machine.svg");
  const parsed = new DOMParser().parseFromString(await response.text(), "image/svg+xml");
  $("#harvester-diagram").replaceChildren(document.importNode(parsed.documentElement, true));
  renderHarvesters();
}

// the diagram -------------------------------------------------------------------------

async function loadDiagram() {
  const response = await fetch("/_sim/ui/state-machine.svg");
  const text = await response.text();
  const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
  $("#diagram").replaceChildren(document.importNode(parsed.documentElement, true));
  state.diagramReady = true;
  renderDiagram();
}

function renderDiagram() {
  if (!state.diagramReady) return;
  const counts = new Map();
  for (const ds of state.datasets) {
    counts.set(ds.status, (counts.get(ds.status) || 0) + 1);
  }
  const selected = state.datasets.find((ds) => ds.dataset_uid === state.selected);
  for (const node of document.querySelectorAll("#diagram .status")) {
    const name = [...node.classList].find((c) => c.startsWith("status-")).slice(7);
    const count = counts.get(name) || 0;
    node.classList.toggle("active", count > 0);
    node.classList.toggle("selected", Boolean(selected && selected.status === name));
    node.dataset.count = String(count);
    let label = node.querySelector("text.count");
    if (count > 0 && name !== "removed") {
      if (!label) {
        label = document.createElementNS(SVG_NS, "text");
        label.setAttribute("class", "count");
        const box = node.querySelector("path, polygon");
        const bbox = box.getBBox();
        label.setAttribute("x", String(bbox.x + bbox.width - 4));
        label.setAttribute("y", String(bbox.y + 9));
        label.setAttribute("text-anchor", "end");
        node.appendChild(label);
      }
      label.textContent = String(count);
    } else if (label) {
      label.remove();
    }
  }
}

// the timeline -------------------------------------------------------------------------

function renderLegend() {
  const legend = $("#legend");
  for (const [name, colour] of Object.entries(COLOURS)) {
    if (name === "removed") continue;
    const span = document.createElement("span");
    span.style.setProperty("--c", colour);
    span.textContent = name;
    legend.appendChild(span);
  }
  const fault = document.createElement("span");
  fault.style.setProperty("--c", "#d93025");
  fault.textContent = "\u25bc injected fault";
  legend.appendChild(fault);
}

function svg(tag, attrs, parent) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (parent) parent.appendChild(element);
  return element;
}

function renderTimeline() {
  const plot = $("#timeline");
  const width = plot.clientWidth || 800;
  const left = 150;
  const laneHeight = 18;
  const gap = 4;
  const end = Math.max(state.clock.now, 1);
  const x = (t) => left + (t / end) * (width - left - 12);

  const lanes = new Map();
  // a lane per harvester first, its moves in its own statuses
  for (const h of state.harvesters.slice(0, MAX_LANES)) {
    lanes.set(`harvester:${h.harvester_id}`, {
      id: `harvester:${h.harvester_id}`,
      harvester: true,
      status: h.status,
      segments: h.moves,
    });
  }
  for (const ds of state.datasets.slice(0, MAX_LANES)) {
    lanes.set(ds.dataset_uid, { id: ds.dataset_id, status: ds.public_status, segments: [] });
  }
  for (const entry of state.entries) {
    if (!lanes.has(entry.dataset_uid)) {
      if (lanes.size >= MAX_LANES) continue;
      lanes.set(entry.dataset_uid, { id: entry.dataset_id, status: null, segments: [] });
    }
    lanes.get(entry.dataset_uid).segments.push(entry);
  }
  const rows = [...lanes.values()];
  const platformRow = rows.length;
  const height = 24 + (rows.length + 1) * (laneHeight + gap);
  plot.setAttribute("viewBox", `0 0 ${width} ${height}`);
  plot.setAttribute("height", String(height));
  plot.replaceChildren();

  const axisY = rows.length * (laneHeight + gap) + laneHeight + 16;
  for (let i = 0; i <= 5; i += 1) {
    const t = (end * i) / 5;
    svg("line", { x1: x(t), x2: x(t), y1: 0, y2: axisY - 10, stroke: "#e8eaed" }, plot);
    svg("text", { x: x(t), y: axisY, "text-anchor": i === 5 ? "end" : "middle" }, plot).textContent =
      formatSeconds(t);
  }

  rows.forEach((lane, i) => {
    const y = i * (laneHeight + gap);
    const label = lane.harvester ? "lane-label harvester-lane" : "lane-label";
    svg("text", { x: 4, y: y + 13, class: label }, plot).textContent = lane.id;
    const source = lane.harvester ? (e) => e.from : (e) => e.from_public;
    const destination = lane.harvester ? (e) => e.to : (e) => e.to_public;
    const colours = lane.harvester ? HARVESTER_COLOURS : COLOURS;
    let from = 0;
    let status = lane.segments.length ? source(lane.segments[0]) : lane.status;
    for (const entry of lane.segments) {
      if (destination(entry) === status) continue; // the same colour goes on
      bar(plot, x(from), x(entry.t), y, laneHeight, status, `${status} until ${formatSeconds(entry.t)}`, colours);
      from = entry.t;
      status = destination(entry);
    }
    if (status !== "removed") {
      bar(plot, x(from), x(end), y, laneHeight, status, `${status} since ${formatSeconds(from)}`, colours);
    }
  });
  const platformY = platformRow * (laneHeight + gap);
  svg("text", { x: 4, y: platformY + 13 }, plot).textContent = "platform";

  const laneOf = new Map(rows.map((lane, i) => [lane.id, i]));
  for (const fault of state.faults) {
    const row = laneOf.has(fault.target) ? laneOf.get(fault.target) : platformRow;
    const y = row * (laneHeight + gap);
    const cx = x(fault.t);
    const marker = svg("path", { d: `M${cx - 5},${y} L${cx + 5},${y} L${cx},${y + 8} Z`, class: "fault" }, plot);
    const details = Object.entries(fault)
      .filter(([key]) => !["t", "kind", "target"].includes(key))
      .map(([key, value]) => `${key}: ${value}`)
      .join(", ");
    svg("title", {}, marker).textContent = `${fault.kind} at ${formatSeconds(fault.t)} on ${fault.target} ${details}`;
  }

}

function bar(plot, x1, x2, y, height, status, title, colours = COLOURS) {
  const rect = svg(
    "rect",
    { x: x1, y, width: Math.max(x2 - x1, 1), height, fill: colours[status] || "#5f6368", rx: 2 },
    plot,
  );
  svg("title", {}, rect).textContent = title;
}

// wiring ----------------------------------------------------------------------------------

function wire() {
  $("#btn-pause").addEventListener("click", () => clockAction("PUT", "/_sim/clock", { mode: "manual" }));
  $("#btn-play").addEventListener("click", () =>
    clockAction("PUT", "/_sim/clock", { mode: "realtime", speed: Number($("#speed").value) }),
  );
  $("#btn-step").addEventListener("click", () => clockAction("PUT", "/_sim/clock", { mode: "step" }));
  for (const seconds of [10, 60, 600]) {
    $(`#btn-advance-${seconds}`).addEventListener("click", () =>
      clockAction("POST", "/_sim/clock/advance", { seconds }),
    );
  }
  $("#btn-next").addEventListener("click", () => clockAction("POST", "/_sim/clock/next"));
  $("#btn-idle").addEventListener("click", () => clockAction("POST", "/_sim/clock/run_until_idle"));
  $("#btn-reset").addEventListener("click", () => clockAction("POST", "/_sim/reset"));
  for (const button of document.querySelectorAll("[data-action]")) {
    button.addEventListener("click", () => datasetAction(button.dataset.action));
  }
  window.addEventListener("resize", () => state.clock && renderTimeline());
}

wire();
wireSpeed();
renderLegend();
loadDiagram();
refresh();
setInterval(() => {
  if (!document.hidden) refresh();
}, POLL_MS);
