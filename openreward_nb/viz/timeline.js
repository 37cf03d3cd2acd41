// The rollout timeline (anywidget ES module).
// Safety rule: every string a model or tool wrote reaches the DOM through textContent.
// The one exception is `md` / `smd`: HTML made in the kernel by markdown-it with raw HTML off and
// an allow-list of link schemes (openreward_nb/viz/render.py); the browser test proves it inert.
// How each event kind looks (label, colours, icon) arrives as data in the `looks` trait
// (openreward_nb/viz/presentation.py); what an attachment is arrives as the kernel's verdict.

const PAGE = 100;
const MAX_WINDOW = 1500;
const SVG = "http://www.w3.org/2000/svg";
const DOWNLOAD_MIME = "application/octet-stream";

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}
const num = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
const rew = (r) => (r === null || r === undefined ? "–" : (Math.round(r * 1e4) / 1e4).toString());
function bytes(n) {
  if (!n && n !== 0) return "";
  const u = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < 3) { n /= 1024; i += 1; }
  return i ? `${n.toFixed(1)} ${u[i]}` : `${n} B`;
}
function duration(s) {
  if (s === null || s === undefined) return "–";
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${String(Math.floor(s % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

class Timeline {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    this.reqs = new Map();
    this.seq = 0;
    this.blobUrls = new Map();
    this.entries = new Map(); // idx -> element
    this.events = []; // loaded window, ascending idx
    this.calls = new Map(); // call_id -> tool_call event
    this.results = new Map(); // call_id -> tool_result event
    this.looks = model.get("looks") || {};
    this.types = Object.keys(this.looks);
    this.shown = new Set(this.types);
    this.query = "";
    this.lastAnchor = model.get("anchor");
    this.onMsg = (msg, buffers) => this.receive(msg, buffers);
    model.on("msg:custom", this.onMsg);
    this.build();
    const first = model.get("first_page") || { events: [], start: 0, end: 0 };
    this.resetWindow(first.events, first.start, first.end, null);
    this.handlers = {
      "change:header": () => this.drawHeader(),
      "change:counts": () => this.drawFilters(),
      "change:chart": () => this.drawChart(),
      "change:total": () => this.drawFooter(),
      "change:live": () => this.drawHeader(),
      "change:anchor": () => this.followAnchor(),
      "change:focus": () => this.focusOn(),
    };
    for (const [ev, fn] of Object.entries(this.handlers)) model.on(ev, fn);
    if ((model.get("focus") || {}).i !== undefined) this.whenShown(() => this.focusOn());
  }

  // run `fn` once the timeline is laid out in the page (scrolling needs sizes)
  whenShown(fn, tries = 40) {
    if (this.list.isConnected && this.list.clientHeight > 0) fn();
    else if (tries > 0) requestAnimationFrame(() => this.whenShown(fn, tries - 1));
  }

  // the event a search result opened: scrolled to, flashed, its match highlighted
  async focusOn() {
    const focus = this.model.get("focus") || {};
    if (focus.i === undefined) return;
    await this.jumpTo(focus.i);
    const node = this.entries.get(focus.i);
    if (!node) return;
    for (const old of this.items.querySelectorAll(".orw-focused")) old.classList.remove("orw-focused");
    node.classList.add("orw-focused");
    this.focusText = String(focus.q || "").toLowerCase(); // kept: redrawing the highlights keeps this one
    this.highlight(node);
    const hit = node.querySelector("mark.orw-hit");
    if (hit) this.list.scrollTop += hit.getBoundingClientRect().top - this.list.getBoundingClientRect().top - this.list.clientHeight / 3;
  }

  destroy() {
    this.model.off("msg:custom", this.onMsg);
    for (const [ev, fn] of Object.entries(this.handlers)) this.model.off(ev, fn);
    for (const url of this.blobUrls.values()) URL.revokeObjectURL(url);
    if (this.observer) this.observer.disconnect();
    if (this.resize) this.resize.disconnect();
  }

  // --- kernel round trips --------------------------------------------------------------
  request(msg) {
    const req = ++this.seq;
    return new Promise((resolve, reject) => {
      this.reqs.set(req, { resolve, reject });
      this.model.send({ ...msg, req });
    });
  }
  receive(msg, buffers) {
    if (msg.kind === "append") return this.append(msg.events);
    const pending = this.reqs.get(msg.req);
    if (!pending) return;
    this.reqs.delete(msg.req);
    if (msg.kind === "error") pending.reject(new Error(msg.message));
    else pending.resolve({ msg, buffers });
  }

  // --- layout ------------------------------------------------------------------------------
  build() {
    const r = this.root;
    r.classList.add("orw-timeline", "orw-live");
    if (this.model.get("compact")) r.classList.add("orw-compact");
    this.headerEl = el("div", "orw-header");
    this.chartEl = el("div", "orw-chart");
    const controls = el("div", "orw-controls");
    this.filtersEl = el("div", "orw-filters");
    this.search = el("input", "orw-search");
    this.search.type = "search";
    this.search.placeholder = "search loaded events…";
    this.searchAll = el("button", "orw-btn orw-search-all", "search all");
    this.searchAll.title = "search every event of the rollout in the store";
    this.jump = el("input", "orw-jump");
    this.jump.type = "number";
    this.jump.min = "0";
    this.jump.placeholder = "jump to #";
    controls.append(this.filtersEl, this.search, this.searchAll, this.jump);
    this.hitsEl = el("div", "orw-hits");
    this.list = el("div", "orw-list");
    this.topSentinel = el("button", "orw-btn orw-more-top", "load earlier events");
    this.items = el("div", "orw-items");
    this.botSentinel = el("button", "orw-btn orw-more-bot", "load more");
    this.list.append(this.topSentinel, this.items, this.botSentinel);
    this.footer = el("div", "orw-footer");
    r.append(this.headerEl, this.chartEl, controls, this.hitsEl, this.list, this.footer);

    let timer = null;
    this.search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => { this.query = this.search.value.trim().toLowerCase(); this.applyFilter(); }, 150);
    });
    this.searchAll.addEventListener("click", () => this.searchStore());
    this.jump.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && this.jump.value !== "") this.jumpTo(parseInt(this.jump.value, 10));
    });
    this.topSentinel.addEventListener("click", () => this.loadEarlier());
    this.botSentinel.addEventListener("click", () => this.loadLater());
    this.observer = new IntersectionObserver((seen) => {
      for (const s of seen) {
        if (!s.isIntersecting) continue;
        if (s.target === this.botSentinel) this.loadLater();
        else if (s.target === this.topSentinel) this.loadEarlier();
        else this.loadThumb(s.target);
      }
    }, { root: this.list, rootMargin: "200px" });
    this.observer.observe(this.topSentinel);
    this.observer.observe(this.botSentinel);
    let scrollTimer = null;
    this.list.addEventListener("scroll", () => {
      clearTimeout(scrollTimer);
      scrollTimer = setTimeout(() => this.publishAnchor(), 120);
    });
    this.resize = new ResizeObserver(() => this.drawChart());
    this.resize.observe(this.chartEl);
    this.drawHeader();
    this.drawFilters();
    this.drawChart();
  }

  drawHeader() {
    const h = this.model.get("header") || {};
    const live = this.model.get("live");
    const box = this.headerEl;
    box.replaceChildren();
    const title = el("div", "orw-title");
    title.append(el("span", "orw-name-main", h.rollout || h.id || "rollout"));
    const status = el("span", `orw-status orw-status-${h.status}`, live ? `${h.status} · live` : h.status);
    title.append(status);
    const id = el("span", "orw-id", h.id);
    id.title = "rollout id";
    title.append(id);
    const sub = el("div", "orw-sub");
    for (const [k, v] of [["run", h.run], ["env", h.environment], ["split", h.split], ["model", h.model]]) {
      if (!v) continue;
      const part = el("span", "orw-kv");
      part.append(el("span", "orw-k", k), el("span", "orw-v", v));
      sub.append(part);
    }
    const stats = el("div", "orw-stats");
    const cells = [
      ["total reward", rew(h.total_reward)], ["final reward", rew(h.final_reward)],
      ["events", num(h.events)], ["turns", num(h.turns)], ["tool calls", num(h.tool_calls)],
      ["tokens in / out", `${num(h.input_tokens)} / ${num(h.output_tokens)}`], ["duration", duration(h.duration_s)],
    ];
    for (const [k, v] of cells) {
      const c = el("div", "orw-stat");
      c.append(el("div", "orw-stat-v", v), el("div", "orw-stat-k", k));
      stats.append(c);
    }
    box.append(title, sub, stats);
    if ((h.labels && h.labels.length) || h.note) { // annotations: the rollout's labels and latest note
      const marks = el("div", "orw-marks");
      marks.append(this.chips(h.labels));
      if (h.note) marks.append(el("span", "orw-dim orw-note", ` note: ${h.note}`));
      box.append(marks);
    }
    if (h.error) {
      const d = el("details", "orw-error");
      d.append(el("summary", null, "error: " + h.error.split("\n").filter(Boolean).slice(-1)[0]), el("pre", null, h.error));
      box.append(d);
    }
  }

  drawFilters() {
    const counts = this.model.get("counts") || {};
    this.filtersEl.replaceChildren();
    for (const t of Object.keys(counts)) { // a kind this version has no look for: shown, by its own name
      if (!this.types.includes(t)) { this.types.push(t); this.shown.add(t); }
    }
    for (const t of this.types) {
      if (!counts[t]) continue;
      const b = el("button", "orw-filter");
      this.tint(b, t);
      b.dataset.type = t;
      b.setAttribute("aria-pressed", String(this.shown.has(t)));
      b.append(el("span", "orw-dot"), el("span", null, this.label(t)), el("span", "orw-count", num(counts[t])));
      b.addEventListener("click", () => this.toggleType(t));
      this.filtersEl.append(b);
    }
  }

  drawChart() {
    const data = this.model.get("chart") || { points: [] };
    const pts = data.points || [];
    const box = this.chartEl;
    box.replaceChildren();
    if (!pts.length) { box.classList.add("orw-empty"); return; }
    box.classList.remove("orw-empty");
    const W = Math.max(240, box.clientWidth || 600), H = 96, P = 6, L = 44;
    const total = Math.max(1, (this.model.get("total") || 1) - 1);
    let lo = 0, hi = 0;
    for (const [, s, c] of pts) { lo = Math.min(lo, s, c); hi = Math.max(hi, s, c); }
    if (hi === lo) hi = lo + 1;
    const x = (i) => L + (i / total) * (W - L - P);
    const y = (v) => P + (1 - (v - lo) / (hi - lo)) * (H - 2 * P);
    const g = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "orw-svg" });
    g.append(svg("line", { x1: L, x2: W - P, y1: y(0), y2: y(0), class: "orw-axis" }));
    for (const [v, label] of [[hi, rew(hi)], [lo, rew(lo)]]) {
      const t = svg("text", { x: L - 6, y: y(v) + 4, class: "orw-tick", "text-anchor": "end" });
      t.textContent = label;
      g.append(t);
    }
    if (data.finished !== null && data.finished !== undefined) {
      g.append(svg("line", { x1: x(data.finished), x2: x(data.finished), y1: P, y2: H - P, class: "orw-fin-line" }));
    }
    let path = `M ${x(0)} ${y(0)}`;
    for (const [i, , c] of pts) path += ` H ${x(i)} V ${y(c)}`;
    g.append(svg("path", { d: path, class: "orw-cum" }));
    for (const [i, s, c] of pts) {
      g.append(svg("line", { x1: x(i), x2: x(i), y1: y(0), y2: y(s), class: s >= 0 ? "orw-bar" : "orw-bar orw-neg" }));
      const dot = svg("circle", { cx: x(i), cy: y(s), r: 3.5, class: "orw-pt" });
      dot.dataset.idx = i;
      const tip = svg("title");
      tip.textContent = `#${i}  reward ${rew(s)}  cumulative ${rew(c)}`;
      dot.append(tip);
      dot.addEventListener("click", () => this.jumpTo(i));
      g.append(dot);
    }
    const legend = el("div", "orw-legend");
    legend.append(el("span", "orw-lg-bar", "step reward"), el("span", "orw-lg-cum", "cumulative"));
    if (data.n > pts.length) legend.append(el("span", "orw-dim", `${num(data.n)} rewards in ${pts.length} buckets`));
    legend.append(el("span", "orw-dim", "click a point to jump to its event"));
    box.append(g, legend);
  }

  drawFooter() {
    const total = this.model.get("total");
    const visible = this.events.filter((e) => this.matches(e)).length;
    const filtered = this.windowTypes ? " (type filter applied in the store)" : "";
    this.footer.textContent = `${num(visible)} shown · events ${num(this.lo)}–${num(Math.max(this.lo, this.hi - 1))} loaded of ${num(total)}${filtered}`;
    this.topSentinel.hidden = this.lo <= 0;
    const more = total - this.hi;
    this.botSentinel.hidden = more <= 0;
    this.botSentinel.textContent = `load more (${num(more)} events after #${num(this.hi - 1)})`;
  }

  // --- the window of loaded events -------------------------------------------------------
  resetWindow(events, lo, hi, types) {
    this.events = [];
    this.entries.clear();
    this.calls.clear();
    this.results.clear();
    this.items.replaceChildren();
    this.lo = lo;
    this.hi = hi;
    this.windowTypes = types;
    this.insert(events, "end");
    this.drawFooter();
  }

  insert(events, where) {
    if (!events.length) return;
    const frag = document.createDocumentFragment();
    for (const ev of events) {
      if (ev.cid) (ev.t === "tool_call" ? this.calls : this.results).set(ev.cid, ev);
      const node = this.renderEvent(ev);
      this.entries.set(ev.i, node);
      frag.append(node);
    }
    if (where === "end") {
      this.items.append(frag);
      this.events.push(...events);
    } else {
      const before = this.list.scrollHeight;
      this.items.prepend(frag);
      this.events.unshift(...events);
      this.list.scrollTop += this.list.scrollHeight - before;
    }
    for (const ev of events) if (ev.cid) this.relink(ev.cid);
    this.markTurns();
    this.applyFilter();
  }

  trim(where) {
    const extra = this.events.length - MAX_WINDOW;
    if (extra <= 0) return;
    const gone = where === "start" ? this.events.splice(0, extra) : this.events.splice(this.events.length - extra);
    const before = this.list.scrollHeight;
    for (const ev of gone) { this.entries.get(ev.i).remove(); this.entries.delete(ev.i); }
    if (where === "start") {
      this.lo = this.events[0].i;
      this.list.scrollTop -= before - this.list.scrollHeight;
    } else {
      this.hi = this.events[this.events.length - 1].i + 1;
    }
  }

  async page(start, opts = {}) {
    const types = this.windowTypes;
    const { msg } = await this.request({ kind: "page", start, limit: PAGE, types, backward: !!opts.backward, turn: opts.turn });
    return msg;
  }

  async loadLater() {
    if (this.busy || this.hi >= this.model.get("total")) return;
    this.busy = true;
    try {
      const msg = await this.page(this.hi);
      this.insert(msg.events.filter((e) => e.i >= this.hi), "end");
      this.hi = Math.max(this.hi, msg.end);
      this.trim("start");
    } catch (e) { this.note(e); } finally { this.busy = false; this.drawFooter(); }
  }

  async loadEarlier() {
    if (this.busy || this.lo <= 0) return;
    this.busy = true;
    try {
      const msg = await this.page(this.lo, { backward: true });
      this.insert(msg.events.filter((e) => e.i < this.lo), "start");
      this.lo = Math.min(this.lo, msg.start);
      this.trim("end");
    } catch (e) { this.note(e); } finally { this.busy = false; this.drawFooter(); }
  }

  append(events) {
    // live: events pushed by the kernel as they are recorded
    if (!events.length) return;
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    const fresh = events.filter((e) => e.i >= this.hi && (!this.windowTypes || this.windowTypes.includes(e.t)));
    if (events[0].i > this.hi) {
      if (!atBottom) return; // a gap: the "load more" button pages it in
      this.resetWindow(fresh, events[0].i, events[events.length - 1].i + 1, this.windowTypes);
    } else {
      this.insert(fresh, "end");
      this.hi = events[events.length - 1].i + 1;
      this.trim("start");
    }
    this.drawFooter();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  // --- one entry ---------------------------------------------------------------------------
  label(t) { return (this.looks[t] && this.looks[t].label) || t; }

  // labels people gave a rollout or a step (annotations), as chips of plain text
  chips(labels) {
    const box = el("span", "orw-chips");
    for (const label of labels || []) box.append(el("span", "orw-chip", label));
    return box;
  }

  // an element's colour: its kind's, for the page's light or dark scheme (--orw-c, read by the CSS)
  tint(node, t) {
    const look = this.looks[t];
    if (look) node.style.setProperty("--orw-c", `light-dark(${look.light}, ${look.dark})`);
  }

  renderEvent(ev) {
    const node = el("div", `orw-ev orw-t-${ev.t}`);
    this.tint(node, ev.t);
    node.dataset.i = ev.i;
    node.dataset.turn = ev.turn;
    const head = el("div", "orw-head");
    const look = this.looks[ev.t];
    head.append(el("span", "orw-idx", `#${ev.i}`));
    if (look) head.append(el("span", "orw-icon", look.icon));
    head.append(el("span", "orw-type", this.label(ev.t)));
    if (ev.k) head.append(el("span", "orw-kind", ev.k));
    if (ev.nm) head.append(el("span", "orw-tool", ev.nm));
    if (ev.cid) head.append(el("span", "orw-join"));
    if (ev.r !== undefined) head.append(el("span", `orw-badge orw-reward orw-${ev.rt}`, `reward ${ev.r > 0 ? "+" : ""}${rew(ev.r)}`));
    if (ev.f) head.append(el("span", "orw-badge orw-finished", "finished"));
    if (ev.e) head.append(el("span", "orw-badge orw-error-badge", "error"));
    if (ev.lb) head.append(this.chips(ev.lb));
    head.append(el("span", "orw-spacer"));
    if (ev.u) head.append(el("span", "orw-dim", `${num((ev.u.input_tokens || 0) + (ev.u.output_tokens || 0))} tok`));
    if (ev.lat !== undefined) head.append(el("span", "orw-dim", duration(ev.lat / 1000)));
    const more = el("button", "orw-toggle", "details");
    head.append(more);
    node.append(head, this.renderBody(ev));
    if (ev.att) node.append(this.renderAttachments(ev));
    let details = null;
    more.addEventListener("click", () => {
      if (!details) { details = this.renderDetails(ev); node.append(details); } else details.hidden = !details.hidden;
      more.classList.toggle("orw-on", !details.hidden);
    });
    return node;
  }

  // The body as the kernel resolved it (`b`): folded reasoning, markdown, JSON or text.
  renderBody(ev) {
    const body = el("div", "orw-body");
    const text = ev.text ? el("pre", ev.b === "json" ? "orw-text orw-json" : "orw-text", ev.text) : null;
    if (ev.b === "folded") {
      const d = el("details", "orw-reasoning");
      d.append(el("summary", null, ev.ti));
      if (ev.smd !== undefined) {
        const md = el("div", "orw-md orw-summary");
        md.innerHTML = ev.smd; // markdown-it output, raw HTML off (see the header comment)
        d.append(md);
      }
      if (text) d.append(text);
      if (ev.ref) d.append(el("div", "orw-dim", `encrypted reasoning, ${num(ev.ref)} characters`));
      if (ev.n > ev.text.length) d.append(this.clipNote(ev, d));
      body.append(d);
      return body;
    }
    if (ev.md !== undefined) {
      const md = el("div", "orw-md");
      md.innerHTML = ev.md; // markdown-it output, raw HTML off (see the header comment)
      body.append(md);
    } else if (text) {
      body.append(text);
    } else if (!ev.att) {
      body.append(el("div", "orw-dim", "(empty)"));
    }
    if (ev.n > ev.text.length) body.append(this.clipNote(ev, body));
    return body;
  }

  // "show all": the whole text from the kernel replaces the clipped one (markdown shown as its text)
  clipNote(ev, box) {
    const note = el("div", "orw-clip");
    note.append(el("span", null, `showing ${num(ev.text.length)} of ${num(ev.n)} characters `));
    const btn = el("button", "orw-btn orw-expand", "show all");
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try {
        const { msg } = await this.request({ kind: "text", i: ev.i });
        const pre = el("pre", ev.b === "json" ? "orw-text orw-json" : "orw-text", msg.text);
        const old = box.querySelector(":scope > .orw-md:not(.orw-summary), :scope > pre.orw-text");
        if (old) old.replaceWith(pre); else note.before(pre);
        if (msg.n > msg.text.length) note.replaceWith(el("div", "orw-clip", `showing ${num(msg.text.length)} of ${num(msg.n)} characters (the rest is in the store: rollout.event(${ev.i}).content)`));
        else note.remove();
        this.highlight(box);
      } catch (e) { btn.disabled = false; this.note(e); }
    });
    note.append(btn);
    return note;
  }

  // Attachments as the kernel judged them from their bytes: only raster images are shown;
  // files are offered as downloads of application/octet-stream, never opened in the page.
  renderAttachments(ev) {
    const box = el("div", "orw-atts");
    ev.att.forEach((a, k) => {
      const size = a.size !== undefined ? ` ${bytes(a.size)}` : "";
      if (a.v === "image" && a.url) {
        const img = el("img", "orw-thumb");
        img.referrerPolicy = "no-referrer";
        img.alt = a.label;
        img.src = a.url;
        img.addEventListener("click", () => img.classList.toggle("orw-big"));
        box.append(img);
      } else if (a.v === "image") {
        const slot = el("div", "orw-thumb orw-thumb-wait", `${a.label}${size}`);
        slot.dataset.i = ev.i;
        slot.dataset.k = k;
        box.append(slot);
        this.observer.observe(slot);
      } else if (a.v === "file") {
        const b = el("button", "orw-btn orw-download", `download ${a.name}${size}`);
        b.title = `${a.label} (saved as a file, never opened here)`;
        b.addEventListener("click", () => this.download(ev.i, k, b));
        box.append(b);
      } else if (a.v === "link") {
        const link = el("a", "orw-file", `${a.label}: ${a.url}`);
        link.href = a.url; // http(s) only: checked in the kernel
        link.target = "_blank";
        link.rel = "noopener noreferrer nofollow";
        box.append(link);
      } else {
        box.append(el("span", "orw-file", `attachment: ${a.label}${size}`));
      }
    });
    return box;
  }

  async loadThumb(slot) {
    this.observer.unobserve(slot);
    const key = `${slot.dataset.i}:${slot.dataset.k}`;
    try {
      let url = this.blobUrls.get(key);
      if (!url) {
        const { msg, buffers } = await this.request({ kind: "attachment", i: +slot.dataset.i, k: +slot.dataset.k });
        if (msg.v !== "image" || !buffers || !buffers.length) { slot.textContent = "image not available"; return; }
        url = URL.createObjectURL(new Blob([buffers[0]], { type: msg.mime }));
        this.blobUrls.set(key, url);
      }
      const img = el("img", "orw-thumb");
      img.alt = slot.textContent;
      img.src = url;
      img.addEventListener("click", () => img.classList.toggle("orw-big"));
      slot.replaceWith(img);
    } catch (e) { slot.textContent = "image failed to load"; }
  }

  async download(i, k, button) {
    button.disabled = true;
    try {
      const { msg, buffers } = await this.request({ kind: "attachment", i, k });
      if (!buffers || !buffers.length) { button.textContent = "not available"; return; }
      const url = URL.createObjectURL(new Blob([buffers[0]], { type: DOWNLOAD_MIME }));
      const a = el("a");
      a.href = url;
      a.download = msg.name || "attachment";
      a.rel = "noopener";
      a.hidden = true;
      this.root.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) { this.note(e); } finally { button.disabled = false; }
  }

  renderDetails(ev) {
    const d = el("div", "orw-details");
    const rows = [
      ["time", new Date(ev.ts * 1000).toISOString().replace("T", " ").replace("Z", " UTC")],
      ["turn", ev.turn], ["kind", ev.k], ["call id", ev.cid], ["model", ev.m], ["stop reason", ev.sr],
      ["latency", ev.lat !== undefined ? `${num(Math.round(ev.lat))} ms` : undefined],
    ];
    if (ev.u) for (const [k, v] of Object.entries(ev.u)) rows.push([k.replace(/_/g, " "), num(v)]);
    const dl = el("dl");
    for (const [k, v] of rows) {
      if (v === undefined || v === null) continue;
      dl.append(el("dt", null, k), el("dd", null, v));
    }
    d.append(dl);
    if (ev.meta) d.append(el("div", "orw-k", "metadata"), el("pre", "orw-text", ev.meta));
    return d;
  }

  relink(cid) {
    const call = this.calls.get(cid), res = this.results.get(cid);
    const callNode = call && this.entries.get(call.i), resNode = res && this.entries.get(res.i);
    const link = (node, target, text, cls) => {
      const slot = node && node.querySelector(".orw-join");
      if (!slot) return;
      slot.replaceChildren();
      slot.className = `orw-join ${cls}`;
      if (!target) { slot.textContent = text; return; }
      const a = el("button", "orw-link", text);
      a.addEventListener("click", () => this.jumpTo(target.i));
      slot.append(a);
    };
    if (callNode) link(callNode, res, res ? `→ result #${res.i}${res.e ? " (error)" : ""}` : "no result loaded", res && res.e ? "orw-bad" : "");
    if (resNode) link(resNode, call, call ? `← ${call.nm} #${call.i}` : `call ${cid}`, "");
  }

  markTurns() {
    let prev = null;
    for (const ev of this.events) {
      const node = this.entries.get(ev.i);
      node.classList.toggle("orw-newturn", prev !== null && ev.turn !== prev && ev.turn > 0);
      prev = ev.turn;
    }
  }

  // --- filter, search, jump ---------------------------------------------------------------
  matches(ev) {
    if (!this.shown.has(ev.t)) return false;
    if (!this.query) return true;
    if ([ev.ti, ev.nm, ev.meta].some((s) => s && s.toLowerCase().includes(this.query))) return true;
    const node = this.entries.get(ev.i);
    return !!node && node.querySelector(".orw-body").textContent.toLowerCase().includes(this.query);
  }

  applyFilter() {
    for (const ev of this.events) {
      const node = this.entries.get(ev.i);
      node.hidden = !this.matches(ev);
      this.highlight(node);
    }
    this.drawFooter();
  }

  highlight(node) {
    for (const m of node.querySelectorAll("mark.orw-hit")) m.replaceWith(document.createTextNode(m.textContent));
    node.normalize();
    if (node.hidden) return;
    if (this.query) this.mark(node, this.query);
    else if (this.focusText && node.classList.contains("orw-focused")) this.mark(node, this.focusText);
  }

  // wrap each occurrence of `query` (lowercase) in the node's text in <mark> (the header aside)
  mark(node, query) {
    if (!query) return;
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    const hits = [];
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (t.parentElement.closest(".orw-head")) continue;
      if (t.nodeValue.toLowerCase().includes(query)) hits.push(t);
    }
    for (const t of hits) {
      const folded = t.parentElement.closest("details");
      if (folded) folded.open = true; // a match inside collapsed reasoning: unfold it
      const text = t.nodeValue, low = text.toLowerCase(), frag = document.createDocumentFragment();
      let at = 0;
      for (let k = low.indexOf(query); k >= 0; k = low.indexOf(query, k + query.length)) {
        frag.append(text.slice(at, k), el("mark", "orw-hit", text.slice(k, k + query.length)));
        at = k + query.length;
      }
      frag.append(text.slice(at));
      t.replaceWith(frag);
    }
  }

  async toggleType(t) {
    if (this.shown.has(t) && this.shown.size === 1) this.shown = new Set(this.types);
    else if (this.shown.size === this.types.length) this.shown = new Set([t]);
    else if (this.shown.has(t)) this.shown.delete(t);
    else this.shown.add(t);
    this.drawFilters();
    this.applyFilter(); // instant, over what is loaded
    const all = this.shown.size === this.types.length;
    const complete = this.lo <= 0 && this.hi >= this.model.get("total") && !this.windowTypes;
    if (complete) return;
    const top = this.topVisible();
    this.windowTypes = all ? null : [...this.shown];
    await this.reload(top ? top.i : this.lo);
  }

  async reload(start, turn) {
    try {
      const msg = await this.page(start, { turn });
      this.resetWindow(msg.events, msg.start, msg.end, this.windowTypes);
      this.list.scrollTop = 0;
      return msg;
    } catch (e) { this.note(e); return null; }
  }

  async jumpTo(i) {
    if (!this.entries.has(i)) await this.reload(Math.max(0, i - 3));
    const target = this.events.find((e) => e.i >= i);
    const node = target && this.entries.get(target.i);
    if (!node) return;
    if (node.hidden) { // reveal it: drop the search and show its type
      this.search.value = this.query = "";
      this.shown.add(target.t);
      this.drawFilters();
      this.applyFilter();
    }
    this.list.scrollTop = node.offsetTop - this.items.offsetTop;
    node.classList.remove("orw-flash");
    void node.offsetWidth;
    node.classList.add("orw-flash");
  }

  async searchStore() {
    const q = this.search.value.trim();
    this.hitsEl.replaceChildren();
    if (!q) return;
    try {
      const { msg } = await this.request({ kind: "search", q });
      const hits = msg.hits;
      this.hitsEl.append(el("span", "orw-dim", hits.length ? `${num(hits.length)}${msg.more ? "+" : ""} events contain “${q}”:` : `no event contains “${q}”`));
      for (const i of hits.slice(0, 60)) {
        const b = el("button", "orw-link", `#${i}`);
        b.addEventListener("click", () => this.jumpTo(i));
        this.hitsEl.append(b);
      }
      if (hits.length > 60) this.hitsEl.append(el("span", "orw-dim", "…"));
    } catch (e) { this.note(e); }
  }

  topVisible() {
    const top = this.list.scrollTop + this.items.offsetTop;
    for (const ev of this.events) {
      const node = this.entries.get(ev.i);
      if (!node.hidden && node.offsetTop + node.offsetHeight > top) return ev;
    }
    return null;
  }

  publishAnchor() {
    if (!this.model.get("compact")) return;
    const ev = this.topVisible();
    if (!ev || ev.turn === this.lastAnchor) return;
    this.lastAnchor = ev.turn;
    this.model.set("anchor", ev.turn);
    this.model.save_changes();
  }

  async followAnchor() {
    const turn = this.model.get("anchor");
    if (turn === this.lastAnchor || turn < 0) return;
    this.lastAnchor = turn;
    let target = this.events.find((e) => e.turn >= turn && this.entries.get(e.i) && !this.entries.get(e.i).hidden);
    if (!target || (target.turn > turn && this.lo > 0)) {
      await this.reload(0, turn);
      target = this.events.find((e) => e.turn >= turn);
    }
    if (!target) return;
    const node = this.entries.get(target.i);
    this.list.scrollTop = node.offsetTop - this.items.offsetTop;
  }

  note(err) {
    this.footer.textContent = `could not reach the kernel: ${err.message || err}`;
  }
}

export default {
  render({ model, el }) {
    const view = new Timeline(model, el);
    return () => view.destroy();
  },
};
