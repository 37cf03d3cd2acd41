// The rollout timeline (anywidget ES module), drawn with events.js (joined before it by
// openreward_nb/viz/assets.py): its helpers, the kernel round trip and the event cards.
// Safety rule: every string a model or tool wrote reaches the DOM through textContent (the one
// exception, markdown made in the kernel, is said in events.js).

const PAGE = 100;
const MAX_WINDOW = 1500;

class Timeline extends EventView {
  constructor(model, root) {
    super(model, root, {
      pushes: { append: (msg) => this.append(msg.events) },
      cards: {
        rest: (ev) => ` (the rest is in the store: rollout.event(${ev.i}).content)`,
        expanded: (box) => this.highlight(box),
      },
    });
    this.entries = new Map(); // idx -> element
    this.events = []; // loaded window, ascending idx
    this.calls = new Map(); // call_id -> tool_call event
    this.results = new Map(); // call_id -> tool_result event
    this.types = Object.keys(this.looks);
    this.shown = new Set(this.types);
    this.query = "";
    this.lastAnchor = model.get("anchor");
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
    super.destroy();
    for (const [ev, fn] of Object.entries(this.handlers)) this.model.off(ev, fn);
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
    this.buildList("load earlier events", true);
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
    let scrollTimer = null;
    this.list.addEventListener("scroll", () => {
      clearTimeout(scrollTimer);
      scrollTimer = setTimeout(() => this.publishAnchor(), 120);
    });
    this.redrawChartOnResize();
    this.drawHeader();
    this.drawFilters();
    this.drawChart();
  }

  drawHeader() {
    const h = this.model.get("header") || {};
    const live = this.model.get("live");
    const box = this.headerEl;
    box.replaceChildren();
    const title = rolloutTitle(h, live ? `${h.status} · live` : h.status);
    const sub = rolloutFacts([["run", h.run], ["env", h.environment], ["split", h.split], ["model", h.model]]);
    const stats = rolloutStats([
      ["total reward", rew(h.total_reward)], ["final reward", rew(h.final_reward)],
      ["events", num(h.events)], ["turns", num(h.turns)], ["tool calls", num(h.tool_calls)],
      ["tokens in / out", `${num(h.input_tokens)} / ${num(h.output_tokens)}`], ["duration", duration(h.duration_s)],
    ]);
    box.append(title, sub, stats);
    if ((h.labels && h.labels.length) || h.note) { // annotations: the rollout's labels and latest note
      const marks = el("div", "orw-marks");
      marks.append(chips(h.labels));
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
      this.cards.tint(b, t);
      b.dataset.type = t;
      b.setAttribute("aria-pressed", String(this.shown.has(t)));
      b.append(el("span", "orw-dot"), el("span", null, this.cards.label(t)), el("span", "orw-count", num(counts[t])));
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
    let lo = 0, hi = 0;
    for (const [, s, c] of pts) { lo = Math.min(lo, s, c); hi = Math.max(hi, s, c); }
    const H = 96, P = 6;
    const { g, x, y } = rewardFrame(box, H, P, this.model.get("total"), lo, hi);
    if (data.finished !== null && data.finished !== undefined) {
      g.append(svg("line", { x1: x(data.finished), x2: x(data.finished), y1: P, y2: H - P, class: "orw-fin-line" }));
    }
    g.append(svg("path", { d: cumulativePath(pts, x, y), class: "orw-cum" }));
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
    const { msg } = await this.kernel.request({ kind: "page", start, limit: PAGE, types, backward: !!opts.backward, turn: opts.turn });
    return msg;
  }

  async loadLater() {
    if (this.hi >= this.model.get("total")) return;
    await this.loadingPage(async () => {
      const msg = await this.page(this.hi);
      this.insert(msg.events.filter((e) => e.i >= this.hi), "end");
      this.hi = Math.max(this.hi, msg.end);
      this.trim("start");
    });
  }

  async loadEarlier() {
    if (this.lo <= 0) return;
    await this.loadingPage(async () => {
      const msg = await this.page(this.lo, { backward: true });
      this.insert(msg.events.filter((e) => e.i < this.lo), "start");
      this.lo = Math.min(this.lo, msg.start);
      this.trim("end");
    });
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
  renderEvent(ev) {
    const node = this.cards.card(ev, { facts: true });
    node.dataset.turn = ev.turn;
    return node;
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
    flash(node);
  }

  async searchStore() {
    const q = this.search.value.trim();
    this.hitsEl.replaceChildren();
    if (!q) return;
    try {
      const { msg } = await this.kernel.request({ kind: "search", q });
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
}

export default widget(Timeline);
