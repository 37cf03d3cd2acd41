// The step diff of two rollouts (anywidget ES module).
// Safety rule, as in the timeline: every string a model or tool wrote reaches the DOM through
// textContent. The one exception is `md` / `smd`: HTML made in the kernel by markdown-it with raw
// HTML off and an allow-list of link schemes (openreward_nb/viz/render.py).
// Events are drawn with the timeline's classes and CSS, coloured by the presentation table
// (`looks`); ops and sides by the diff's table (`diff_looks`, openreward_nb/viz/difflooks.py).

const PAGE = 40;
const SVG = "http://www.w3.org/2000/svg";
const DOWNLOAD_MIME = "application/octet-stream";
const SIDES = ["a", "b"];

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
const range = (lo, hi) => (lo === hi ? `#${lo}` : `#${lo}–${hi}`);

class Diff {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    this.reqs = new Map();
    this.seq = 0;
    this.blobUrls = new Map();
    this.looks = model.get("looks") || {};
    this.dl = model.get("diff_looks") || { ops: {}, sides: {} };
    this.onMsg = (msg, buffers) => this.receive(msg, buffers);
    model.on("msg:custom", this.onMsg);
    this.build();
    const first = model.get("first_page") || { blocks: [], start: 0, end: 0 };
    this.setWindow(first.blocks, first.start, first.end);
    const where = (model.get("summary") || {}).first;
    if (where) this.scrollWhenShown(where.block);
  }

  destroy() {
    this.model.off("msg:custom", this.onMsg);
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
    const pending = this.reqs.get(msg.req);
    if (!pending) return;
    this.reqs.delete(msg.req);
    if (msg.kind === "error") pending.reject(new Error(msg.message));
    else pending.resolve({ msg, buffers });
  }

  // --- layout ------------------------------------------------------------------------------
  build() {
    const r = this.root;
    r.classList.add("orw-timeline", "orw-diff", "orw-live");
    for (const side of SIDES) r.style.setProperty(`--orw-side-${side}`, this.dl.sides[side] || "currentColor");
    this.headsEl = el("div", "orw-diff-heads");
    this.summaryEl = el("div", "orw-diff-summary");
    this.chartEl = el("div", "orw-chart");
    this.list = el("div", "orw-list");
    this.topSentinel = el("button", "orw-btn orw-more-top", "load earlier steps");
    this.items = el("div", "orw-items");
    this.botSentinel = el("button", "orw-btn orw-more-bot", "load more");
    this.list.append(this.topSentinel, this.items, this.botSentinel);
    this.footer = el("div", "orw-footer");
    r.append(this.headsEl, this.summaryEl, this.chartEl, this.list, this.footer);
    this.topSentinel.addEventListener("click", () => this.loadEarlier());
    this.botSentinel.addEventListener("click", () => this.loadLater());
    this.observer = new IntersectionObserver((seen) => {
      for (const s of seen) {
        if (!s.isIntersecting) continue;
        if (s.target === this.botSentinel) this.loadLater();
        else this.loadThumb(s.target);
      }
    }, { root: this.list, rootMargin: "200px" });
    this.observer.observe(this.botSentinel);
    this.resize = new ResizeObserver(() => this.drawChart());
    this.resize.observe(this.chartEl);
    this.drawHeads();
    this.drawSummary();
    this.drawChart();
  }

  drawHeads() {
    const heads = this.model.get("header") || {};
    this.headsEl.replaceChildren();
    for (const side of SIDES) {
      const h = heads[side] || {};
      const box = el("div", `orw-diff-head orw-diff-side-${side}`);
      const title = el("div", "orw-title");
      title.append(el("span", "orw-diff-tag", side.toUpperCase()), el("span", "orw-name-main", h.rollout || h.id || "rollout"));
      title.append(el("span", `orw-status orw-status-${h.status}`, h.status));
      const id = el("span", "orw-id", h.id);
      id.title = "rollout id";
      title.append(id);
      const sub = el("div", "orw-sub");
      for (const [k, v] of [["run", h.run], ["model", h.model]]) {
        if (!v) continue;
        const part = el("span", "orw-kv");
        part.append(el("span", "orw-k", k), el("span", "orw-v", v));
        sub.append(part);
      }
      const stats = el("div", "orw-stats");
      for (const [k, v] of [["total reward", rew(h.total_reward)], ["final reward", rew(h.final_reward)], ["events", num(h.events)], ["tool calls", num(h.tool_calls)]]) {
        const c = el("div", "orw-stat");
        c.append(el("div", "orw-stat-v", v), el("div", "orw-stat-k", k));
        stats.append(c);
      }
      box.append(title, sub, stats);
      this.headsEl.append(box);
    }
  }

  drawSummary() {
    const s = this.model.get("summary") || { counts: {} };
    const box = this.summaryEl;
    box.replaceChildren();
    for (const [op, n] of Object.entries(s.counts || {})) {
      if (!n) continue;
      const chip = el("span", `orw-diff-count orw-diff-op-${op}`);
      this.tintOp(chip, op);
      chip.append(el("span", "orw-dot"), el("span", null, `${num(n)} ${this.opLabel(op)}`));
      box.append(chip);
    }
    if (s.first) {
      const b = el("button", "orw-btn orw-diff-jump", `first divergence: ${this.where(s.first.a, s.first.b)}`);
      b.addEventListener("click", () => this.showBlock(s.first.block));
      box.append(b);
    } else {
      box.append(el("span", "orw-dim", s.rows ? "the rollouts do not diverge: every step is identical" : "both rollouts are empty"));
    }
  }

  where(a, b) {
    const parts = [];
    if (a !== null && a !== undefined) parts.push(`A #${a}`);
    if (b !== null && b !== undefined) parts.push(`B #${b}`);
    return parts.join(" ↔ ");
  }

  drawChart() {
    const data = this.model.get("chart") || {};
    const box = this.chartEl;
    box.replaceChildren();
    const series = SIDES.map((side) => [side, data[side] || []]);
    if (!series.some(([, pts]) => pts.length)) { box.classList.add("orw-empty"); return; }
    box.classList.remove("orw-empty");
    const W = Math.max(240, box.clientWidth || 600), H = 110, P = 8, L = 44;
    const total = Math.max(1, (data.rows || 1) - 1);
    let lo = 0, hi = 0;
    for (const [, pts] of series) for (const [, s, c] of pts) { lo = Math.min(lo, s, c); hi = Math.max(hi, s, c); }
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
    if (data.first !== null && data.first !== undefined) {
      g.append(svg("line", { x1: x(data.first), x2: x(data.first), y1: P, y2: H - P, class: "orw-diff-first-line" }));
      const t = svg("text", { x: x(data.first) + 4, y: P + 9, class: "orw-tick orw-diff-first-label" });
      t.textContent = "first divergence";
      g.append(t);
    }
    for (const [side, pts] of series) {
      if (!pts.length) continue;
      let path = `M ${x(0)} ${y(0)}`;
      for (const [i, , c] of pts) path += ` H ${x(i)} V ${y(c)}`;
      g.append(svg("path", { d: path, class: `orw-diff-cum orw-diff-cum-${side}` }));
      for (const [i, s, c] of pts) {
        const dot = svg("circle", { cx: x(i), cy: y(s), r: 3.5, class: `orw-diff-pt orw-diff-pt-${side}` });
        const tip = svg("title");
        tip.textContent = `${side.toUpperCase()}: step ${i}  reward ${rew(s)}  cumulative ${rew(c)}`;
        dot.append(tip);
        dot.addEventListener("click", () => this.showRow(i));
        g.append(dot);
      }
    }
    const legend = el("div", "orw-legend");
    legend.append(el("span", "orw-diff-lg-a", "A cumulative"), el("span", "orw-diff-lg-b", "B cumulative"));
    legend.append(el("span", "orw-dim", "dots: step rewards, along the aligned steps; click one to jump to it"));
    box.append(g, legend);
  }

  drawFooter() {
    const total = this.model.get("total");
    this.footer.textContent = `blocks ${num(this.lo)}–${num(Math.max(this.lo, this.hi - 1))} loaded of ${num(total)}`;
    this.topSentinel.hidden = this.lo <= 0;
    this.botSentinel.hidden = this.hi >= total;
  }

  // --- the window of loaded blocks ----------------------------------------------------------
  setWindow(blocks, lo, hi) {
    this.items.replaceChildren();
    this.lo = lo;
    this.hi = hi;
    this.items.append(...blocks.map((b) => this.renderBlock(b)));
    this.drawFooter();
  }

  async loadLater() {
    if (this.busy || this.hi >= this.model.get("total")) return;
    this.busy = true;
    try {
      const { msg } = await this.request({ kind: "blocks", start: this.hi, limit: PAGE });
      this.items.append(...msg.blocks.filter((b) => b.bi >= this.hi).map((b) => this.renderBlock(b)));
      this.hi = Math.max(this.hi, msg.end);
    } catch (e) { this.note(e); } finally { this.busy = false; this.drawFooter(); }
  }

  async loadEarlier() {
    if (this.busy || this.lo <= 0) return;
    this.busy = true;
    try {
      const start = Math.max(0, this.lo - PAGE);
      const { msg } = await this.request({ kind: "blocks", start, limit: this.lo - start });
      const before = this.list.scrollHeight;
      this.items.prepend(...msg.blocks.filter((b) => b.bi < this.lo).map((b) => this.renderBlock(b)));
      this.list.scrollTop += this.list.scrollHeight - before;
      this.lo = Math.min(this.lo, msg.start);
    } catch (e) { this.note(e); } finally { this.busy = false; this.drawFooter(); }
  }

  blockNode(bi) { return this.items.querySelector(`:scope > [data-bi="${bi}"]`); }

  // the first divergence is shown first: scroll the list to it once the view has a size
  scrollWhenShown(bi) {
    let tries = 0;
    const attempt = () => {
      const node = this.blockNode(bi);
      if (!node) return;
      if (!this.root.isConnected || !this.list.clientHeight) {
        if (++tries < 600) requestAnimationFrame(attempt);
        return;
      }
      this.scrollTo(node);
    };
    attempt();
  }

  scrollTo(node) {
    this.list.scrollTop = node.offsetTop - this.items.offsetTop - 6;
    node.classList.remove("orw-flash");
    void node.offsetWidth;
    node.classList.add("orw-flash");
  }

  async showBlock(bi, start) {
    if (!this.blockNode(bi)) {
      try {
        const { msg } = await this.request({ kind: "blocks", start: start ?? Math.max(0, bi - 2), limit: PAGE });
        this.setWindow(msg.blocks, msg.start, msg.end);
      } catch (e) { this.note(e); return; }
    }
    const node = this.blockNode(bi);
    if (node) this.scrollTo(node);
  }

  async showRow(row) {
    try {
      const { msg } = await this.request({ kind: "blocks", row, limit: PAGE });
      this.setWindow(msg.blocks, msg.start, msg.end);
      const node = this.blockNode(msg.focus);
      if (node) this.scrollTo(node);
    } catch (e) { this.note(e); }
  }

  // --- blocks ------------------------------------------------------------------------------
  opLabel(op) { return (this.dl.ops[op] && this.dl.ops[op].label) || op; }
  tintOp(node, op) {
    const look = this.dl.ops[op];
    if (look) node.style.setProperty("--orw-op", `light-dark(${look.light}, ${look.dark})`);
  }

  renderBlock(b) {
    if (b.k === "fold") return this.renderFold(b);
    const row = el("div", `orw-diff-row orw-diff-op-${b.k}`);
    row.dataset.bi = b.bi;
    row.dataset.op = b.k;
    this.tintOp(row, b.k);
    if (b.first) row.classList.add("orw-diff-first");
    const bar = el("div", "orw-diff-bar");
    let label = this.opLabel(b.k);
    if (b.k === "changed" && b.s !== null && b.s !== undefined) label += ` · ${Math.round(b.s * 100)}% alike`;
    bar.append(el("span", "orw-diff-oplabel", label));
    if (b.first) bar.append(el("span", "orw-badge orw-diff-first-badge", "first divergence"));
    row.append(bar);
    if (b.k === "equal") {
      const card = this.renderEvent(b.a, "a");
      card.classList.add("orw-diff-span");
      row.append(card);
      return row;
    }
    const cols = el("div", "orw-diff-cols");
    for (const side of SIDES) {
      const ev = b[side];
      if (ev) cols.append(this.renderEvent(ev, side));
      else cols.append(el("div", "orw-diff-none", `not in ${side.toUpperCase()}`));
    }
    row.append(cols);
    return row;
  }

  renderFold(b) {
    const box = el("div", "orw-diff-fold");
    box.dataset.bi = b.bi;
    this.tintOp(box, "equal");
    const btn = el("button", "orw-btn orw-diff-unfold", `⋯ ${num(b.n)} identical step${b.n === 1 ? "" : "s"} · A ${range(b.a[0], b.a[1])} · B ${range(b.b[0], b.b[1])}`);
    const inner = el("div", "orw-diff-foldrows");
    inner.hidden = true;
    let loaded = 0;
    const more = el("button", "orw-btn orw-diff-foldmore", "show more");
    more.hidden = true;
    const load = async () => {
      try {
        const { msg } = await this.request({ kind: "fold", block: b.bi, start: loaded });
        for (const ev of msg.events) {
          const card = this.renderEvent(ev, "a");
          card.classList.add("orw-diff-span");
          inner.append(card);
        }
        loaded = msg.end;
        more.hidden = loaded >= msg.n;
        more.textContent = `show more (${num(msg.n - loaded)} left)`;
        inner.append(more);
      } catch (e) { this.note(e); }
    };
    more.addEventListener("click", load);
    btn.addEventListener("click", async () => {
      inner.hidden = !inner.hidden;
      btn.classList.toggle("orw-on", !inner.hidden);
      if (!inner.hidden && !loaded) await load();
    });
    box.append(btn, inner);
    return box;
  }

  // --- one event, drawn as the timeline draws it ------------------------------------------
  label(t) { return (this.looks[t] && this.looks[t].label) || t; }
  tint(node, t) {
    const look = this.looks[t];
    if (look) node.style.setProperty("--orw-c", `light-dark(${look.light}, ${look.dark})`);
  }

  renderEvent(ev, side) {
    const node = el("div", `orw-ev orw-t-${ev.t} orw-diff-side-${side}`);
    this.tint(node, ev.t);
    node.dataset.i = ev.i;
    node.dataset.side = side;
    const head = el("div", "orw-head");
    const look = this.looks[ev.t];
    head.append(el("span", "orw-idx", ev.bx !== undefined ? this.where(ev.i, ev.bx) : `${side.toUpperCase()} #${ev.i}`));
    if (look) head.append(el("span", "orw-icon", look.icon));
    head.append(el("span", "orw-type", this.label(ev.t)));
    if (ev.k) head.append(el("span", "orw-kind", ev.k));
    if (ev.nm) head.append(el("span", "orw-tool", ev.nm));
    if (ev.r !== undefined) head.append(el("span", `orw-badge orw-reward orw-${ev.rt}`, `reward ${ev.r > 0 ? "+" : ""}${rew(ev.r)}`));
    if (ev.f) head.append(el("span", "orw-badge orw-finished", "finished"));
    if (ev.e) head.append(el("span", "orw-badge orw-error-badge", "error"));
    node.append(head, ev.mk ? this.renderMarked(ev, side) : this.renderBody(ev, side));
    if (ev.att) node.append(this.renderAttachments(ev, side));
    return node;
  }

  // a changed step's body: the words (or JSON keys) that differ from the other side marked
  renderMarked(ev, side) {
    const body = el("div", "orw-body");
    const pre = el("pre", ev.mk.f === "json" ? "orw-text orw-json orw-diff-marked" : "orw-text orw-diff-marked");
    for (const [text, marked] of ev.mk.s) pre.append(marked ? el("span", `orw-diff-mark orw-diff-mark-${side}`, text) : document.createTextNode(text));
    body.append(pre);
    const shown = ev.mk.s.reduce((n, [t]) => n + t.length, 0);
    if (ev.mk.n > shown) body.append(this.clipNote(ev, side, body, shown, ev.mk.n));
    return body;
  }

  renderBody(ev, side) {
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
      body.append(d);
    } else if (ev.md !== undefined) {
      const md = el("div", "orw-md");
      md.innerHTML = ev.md; // markdown-it output, raw HTML off (see the header comment)
      body.append(md);
    } else if (text) {
      body.append(text);
    } else if (!ev.att) {
      body.append(el("div", "orw-dim", "(empty)"));
    }
    if (ev.n > ev.text.length) body.append(this.clipNote(ev, side, body, ev.text.length, ev.n));
    return body;
  }

  // "show all": the whole text from the kernel replaces the clipped one (unmarked)
  clipNote(ev, side, box, shown, n) {
    const note = el("div", "orw-clip");
    note.append(el("span", null, `showing ${num(shown)} of ${num(n)} characters `));
    const btn = el("button", "orw-btn orw-expand", "show all");
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try {
        const { msg } = await this.request({ kind: "text", side, i: ev.i });
        const pre = el("pre", ev.b === "json" ? "orw-text orw-json" : "orw-text", msg.text);
        const old = box.querySelector(":scope > .orw-md, :scope > pre.orw-text, :scope > details > pre.orw-text");
        if (old) old.replaceWith(pre); else note.before(pre);
        if (msg.n > msg.text.length) note.replaceWith(el("div", "orw-clip", `showing ${num(msg.text.length)} of ${num(msg.n)} characters`));
        else note.remove();
      } catch (e) { btn.disabled = false; this.note(e); }
    });
    note.append(btn);
    return note;
  }

  // attachments as the kernel judged them from their bytes (as in the timeline)
  renderAttachments(ev, side) {
    const box = el("div", "orw-atts");
    ev.att.forEach((a, k) => {
      if (a.v === "image") {
        const slot = el("div", "orw-thumb orw-thumb-wait", a.label);
        Object.assign(slot.dataset, { i: ev.i, k, side });
        box.append(slot);
        this.observer.observe(slot);
      } else if (a.v === "file") {
        const b = el("button", "orw-btn orw-download", `download ${a.name}`);
        b.title = `${a.label} (saved as a file, never opened here)`;
        b.addEventListener("click", () => this.download(side, ev.i, k, b));
        box.append(b);
      } else {
        box.append(el("span", "orw-file", `attachment: ${a.label}`));
      }
    });
    return box;
  }

  async loadThumb(slot) {
    this.observer.unobserve(slot);
    const key = `${slot.dataset.side}:${slot.dataset.i}:${slot.dataset.k}`;
    try {
      let url = this.blobUrls.get(key);
      if (!url) {
        const { msg, buffers } = await this.request({ kind: "attachment", side: slot.dataset.side, i: +slot.dataset.i, k: +slot.dataset.k });
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

  async download(side, i, k, button) {
    button.disabled = true;
    try {
      const { msg, buffers } = await this.request({ kind: "attachment", side, i, k });
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

  note(err) {
    this.footer.textContent = `could not reach the kernel: ${err.message || err}`;
  }
}

export default {
  render({ model, el }) {
    const view = new Diff(model, el);
    return () => view.destroy();
  },
};
