// The one-file report (openreward_nb/reports/): each run's rollouts table and reward charts, and each
// rollout's timeline opened on demand, drawn by the widgets' own modules (MODULES, inlined before this
// code by page.py) against small in-page models that answer what a kernel would, from data embedded in
// this file, with el() from viz/dom.js joined before it. Nothing here makes a request; the
// Content-Security-Policy would refuse one anyway.
// Safety rule, as in the widgets: every string from the store reaches the DOM through textContent.

const root = document.getElementById("orw-report");

// --- the embedded data ------------------------------------------------------------------------------
function bytesOf(id) {
  const text = atob(document.getElementById(id).textContent);
  const out = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k += 1) out[k] = text.charCodeAt(k);
  return out;
}

async function unpack(id) {
  const stream = new Blob([bytesOf(id)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return JSON.parse(await new Response(stream).text());
}

// --- a model as anywidget gives one: traits, change events, messages ------------------------------------
class Model {
  constructor(state, answer) {
    this.state = { ...state };
    this.answer = answer; // (message) => [reply, buffers]: what the kernel would send back
    this.listeners = new Map();
  }
  get(key) { return this.state[key]; }
  set(key, value) {
    if (JSON.stringify(this.state[key]) === JSON.stringify(value)) return;
    this.state[key] = value;
    this.emit(`change:${key}`);
  }
  save_changes() {}
  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
  }
  off(name, fn) { if (this.listeners.has(name)) this.listeners.get(name).delete(fn); }
  emit(name, ...args) { for (const fn of [...(this.listeners.get(name) || [])]) fn(...args); }
  send(msg) {
    if (!this.answer) return;
    let reply, buffers = [];
    try { [reply, buffers] = this.answer(msg); } catch (e) { reply = { kind: "error", req: msg.req, message: String(e) }; }
    setTimeout(() => this.emit("msg:custom", reply, buffers || []), 0); // answers arrive later, as from a kernel
  }
}

// two models' traits kept equal, as ipywidgets' jslink does
function link(a, b, key) {
  a.on(`change:${key}`, () => b.set(key, a.get(key)));
  b.on(`change:${key}`, () => a.set(key, b.get(key)));
}

// --- one rollout: what its timeline asks of the kernel, answered from its chunk ------------------------
class RolloutData {
  constructor(chunk, limits) {
    this.chunk = chunk;
    this.events = chunk.events; // ascending index
    this.byIdx = new Map(this.events.map((e) => [e.i, e]));
    this.limits = limits;
    this.haystacks = null;
  }

  // the first position whose index is at least `idx`
  position(idx) {
    let lo = 0, hi = this.events.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.events[mid].i < idx) lo = mid + 1; else hi = mid; }
    return lo;
  }

  turnStart(turn) {
    if (turn <= 0) return 0;
    const first = this.events.find((e) => e.turn >= turn);
    return first ? first.i : this.events.length ? this.events[this.events.length - 1].i : 0;
  }

  // as openreward_nb/viz/source.py TimelineSource.window
  window(start, limit, types, backward, turn) {
    if (turn !== undefined && turn !== null) start = this.turnStart(Number(turn));
    limit = Math.max(1, Math.min(Number(limit) || this.limits.max_page, this.limits.max_page));
    const wanted = types && types.length ? new Set(types) : null;
    const keep = (e) => !wanted || wanted.has(e.t);
    const out = [];
    if (!backward) {
      for (let k = this.position(Math.max(0, start)); k < this.events.length && out.length < limit; k += 1) {
        if (keep(this.events[k])) out.push(this.events[k]);
      }
      const last = out.length ? out[out.length - 1].i + 1 : start;
      return { events: out, start, end: out.length === limit ? last : Math.max(last, this.chunk.total) };
    }
    for (let k = this.position(start) - 1; k >= 0 && out.length < limit; k -= 1) {
      if (keep(this.events[k])) out.push(this.events[k]);
    }
    out.reverse();
    return { events: out, start: out.length === limit ? out[0].i : 0, end: start };
  }

  // what the store's search reads: the text, the folded line and summary, the tool's name, the metadata
  search(query) {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    if (!this.haystacks) {
      const { full, notes } = this.chunk;
      this.haystacks = this.events.map((e) =>
        [full[e.i] ?? e.text, e.ti, notes[e.i], e.nm, e.meta].filter(Boolean).join("\n").toLowerCase());
    }
    const hits = [];
    for (let k = 0; k < this.events.length && hits.length < this.limits.max_hits; k += 1) {
      if (this.haystacks[k].includes(q)) hits.push(this.events[k].i);
    }
    return hits;
  }

  answer(msg) {
    const base = { kind: msg.kind, req: msg.req };
    if (msg.kind === "page") {
      return [{ ...base, ...this.window(Number(msg.start) || 0, msg.limit, msg.types, !!msg.backward, msg.turn) }, []];
    }
    if (msg.kind === "text") {
      const ev = this.byIdx.get(Number(msg.i));
      if (!ev) throw new Error(`no event ${msg.i} in this report`);
      return [{ ...base, i: ev.i, text: this.chunk.full[ev.i] ?? ev.text, n: ev.n }, []];
    }
    if (msg.kind === "search") {
      const hits = this.search(String(msg.q || ""));
      return [{ ...base, hits, more: hits.length >= this.limits.max_hits }, []];
    }
    if (msg.kind === "attachment") {
      const ev = this.byIdx.get(Number(msg.i));
      const att = ev && ev.att && ev.att[Number(msg.k)];
      if (!att || att.v !== "image" || att.img === undefined) return [{ ...base, v: "none", label: att ? att.label : "" }, []];
      const data = bytesOf(`orw-img${att.img}`);
      return [{ ...base, v: "image", label: att.label, mime: att.mime }, [data]];
    }
    throw new Error(`unknown request ${msg.kind}`);
  }
}

// --- the page ---------------------------------------------------------------------------------------------
class Report {
  constructor(index) {
    this.index = index;
    this.open = null; // the timeline shown: {close, slot, data}
    this.slots = new Map(); // rollout id -> the slot its section opens timelines in
  }

  draw() {
    const ix = this.index;
    root.replaceChildren();
    const head = el("header", "orw-report-head");
    head.append(el("h1", "orw-report-title", ix.title));
    const made = new Date(ix.made * 1000).toISOString().slice(0, 16).replace("T", " ");
    const rollouts = Object.keys(ix.rollouts).length;
    const line = `${rollouts.toLocaleString("en-US")} rollout${rollouts === 1 ? "" : "s"}${ix.scope ? ` · ${ix.scope}` : ""} · made ${made} UTC by openreward-nb ${ix.version}`;
    head.append(el("div", "orw-report-sub", line));
    if (ix.notices.length) {
      const box = el("ul", "orw-report-notices");
      for (const n of ix.notices) box.append(el("li", null, n));
      head.append(box);
    }
    root.append(head);
    if (ix.single) {
      const slot = el("div", "orw-report-slot");
      root.append(slot);
      this.slots.set(ix.single, slot);
      return this.openRollout(ix.single);
    }
    for (const section of ix.sections) {
      const box = el("section", `orw-report-section orw-report-${section.kind}`);
      root.append(box);
      const drawer = SECTIONS[section.kind];
      if (drawer) drawer(this, section, box);
      else box.append(el("p", "orw-report-note", `this report has a "${section.kind}" view this page cannot draw`));
    }
    let wanted = "";
    try { wanted = decodeURIComponent(location.hash.slice(1)); } catch (e) { /* not one of ours */ }
    if (wanted && this.slots.has(wanted)) return this.openRollout(wanted);
  }

  async openRollout(id) {
    performance.mark("orw-open-start");
    const slot = this.slots.get(id);
    const entry = this.index.rollouts[id];
    if (!slot || !entry) return;
    if (this.open) { this.open.close(); this.open.slot.replaceChildren(); this.open = null; }
    if (!entry.chunk) {
      slot.append(el("p", "orw-report-note", `This rollout's timeline is not in this file: ${entry.why}.`));
      return;
    }
    const chunk = await unpack(entry.chunk);
    const data = new RolloutData(chunk, this.index.limits);
    const model = new Model({
      looks: this.index.looks,
      header: chunk.header,
      counts: chunk.counts,
      chart: chunk.chart,
      first_page: data.window(0, this.index.limits.first_page, null, false),
      total: chunk.total,
      live: false,
      anchor: -1,
      compact: false,
    }, (msg) => data.answer(msg));
    if (chunk.cut) {
      slot.append(el("p", "orw-report-note",
        `This file holds the first ${chunk.cut.shown.toLocaleString("en-US")} of this rollout's ${chunk.cut.total.toLocaleString("en-US")} events.`));
    }
    const box = el("div", "orw-report-timeline");
    slot.append(box);
    const close = MODULES.timeline.render({ model, el: box });
    this.open = { close, slot, data };
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))); // drawn and painted
    performance.mark("orw-open-end");
    performance.measure("orw-open", "orw-open-start", "orw-open-end");
    try { history.replaceState(null, "", `#${encodeURIComponent(id)}`); } catch (e) { /* a page without history */ }
  }
}

// A run: its numbers, reward charts and rollouts table (the run view's own widgets); a click on a row
// opens that rollout's timeline below, a click on a chart filters the table.
function drawRun(report, section, box) {
  const s = section.summary;
  const head = el("div", "orw-report-run-head");
  head.append(el("b", "orw-report-run-name", section.name));
  const parts = [`${s.rollouts.toLocaleString("en-US")} rollouts${s.in_run > s.rollouts ? ` of ${s.in_run.toLocaleString("en-US")} in the run` : ""}`,
    `${s.running.toLocaleString("en-US")} running`, `${s.failed.toLocaleString("en-US")} failed`, `mean reward ${s.mean_reward ?? "–"}`];
  head.append(el("span", "orw-report-run-numbers", ` · ${parts.join(" · ")}`));
  const charts = el("div", "orw-run-charts");
  const table = el("div", "orw-run-table");
  const slot = el("div", "orw-report-slot");
  const run = el("div", "orw-run");
  run.append(charts, table, slot);
  box.append(head, run);
  const tableModel = new Model({
    columns: section.columns, rows: section.rows, caption: section.caption, selected: "",
    sort_key: "", sort_desc: false, filter: {}, range_key: "total_reward",
  });
  const chartsModel = new Model({ data: section.charts, filter: {} });
  link(chartsModel, tableModel, "filter");
  MODULES.runcharts.render({ model: chartsModel, el: charts });
  MODULES.table.render({ model: tableModel, el: table });
  for (const row of section.rows) report.slots.set(row.id, slot);
  tableModel.on("change:selected", () => report.openRollout(tableModel.get("selected")));
}

// the views a report draws, by section kind (openreward_nb/reports/contents.py makes the sections)
const SECTIONS = { run: drawRun };

async function start() {
  performance.mark("orw-start");
  if (typeof DecompressionStream === "undefined") {
    root.replaceChildren(el("p", "orw-report-note", "This browser cannot open this report: it needs DecompressionStream (Chromium 80+, Firefox 113+, Safari 16.4+)."));
    return;
  }
  if (matchMedia("(prefers-color-scheme: dark)").matches) document.body.dataset.jpThemeLight = "false";
  const report = new Report(await unpack("orw-index"));
  window.orwReport = report; // for the tests and the curious
  await report.draw();
  performance.mark("orw-drawn");
  performance.measure("orw-first-paint", "orw-start", "orw-drawn");
  root.dataset.ready = "1";
}

start().catch((e) => root.replaceChildren(el("p", "orw-report-note", `This report could not be opened: ${e.message || e}`)));
