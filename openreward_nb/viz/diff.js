// The step diff of two rollouts (anywidget ES module), drawn with events.js (joined before it by
// openreward_nb/viz/assets.py): its helpers, the kernel round trip and the event cards, as the
// timeline draws them, with the timeline's classes and CSS and the presentation table (`looks`).
// Safety rule, as in the timeline: every string a model or tool wrote reaches the DOM through
// textContent (the one exception, markdown made in the kernel, is said in events.js).
// Ops and sides are coloured by the diff's table (`diff_looks`, openreward_nb/viz/difflooks.py).

const PAGE = 40;
const SIDES = ["a", "b"];
const range = (lo, hi) => (lo === hi ? `#${lo}` : `#${lo}–${hi}`);

class Diff extends EventView {
  constructor(model, root) {
    super(model, root);
    this.dl = model.get("diff_looks") || { ops: {}, sides: {} };
    this.build();
    const first = model.get("first_page") || { blocks: [], start: 0, end: 0 };
    this.setWindow(first.blocks, first.start, first.end);
    const where = (model.get("summary") || {}).first;
    if (where) this.scrollWhenShown(where.block);
  }

  // --- layout ------------------------------------------------------------------------------
  build() {
    const r = this.root;
    r.classList.add("orw-timeline", "orw-diff", "orw-live");
    for (const side of SIDES) r.style.setProperty(`--orw-side-${side}`, this.dl.sides[side] || "currentColor");
    this.headsEl = el("div", "orw-diff-heads");
    this.summaryEl = el("div", "orw-diff-summary");
    this.chartEl = el("div", "orw-chart");
    this.buildList("load earlier steps", false);
    r.append(this.headsEl, this.summaryEl, this.chartEl, this.list, this.footer);
    this.redrawChartOnResize();
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
      const title = rolloutTitle(h, h.status);
      title.prepend(el("span", "orw-diff-tag", side.toUpperCase()));
      const sub = rolloutFacts([["run", h.run], ["model", h.model]]);
      const stats = rolloutStats([["total reward", rew(h.total_reward)], ["final reward", rew(h.final_reward)], ["events", num(h.events)], ["tool calls", num(h.tool_calls)]]);
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
    let lo = 0, hi = 0;
    for (const [, pts] of series) for (const [, s, c] of pts) { lo = Math.min(lo, s, c); hi = Math.max(hi, s, c); }
    const H = 110, P = 8;
    const { g, x, y } = rewardFrame(box, H, P, data.rows, lo, hi);
    if (data.first !== null && data.first !== undefined) {
      g.append(svg("line", { x1: x(data.first), x2: x(data.first), y1: P, y2: H - P, class: "orw-diff-first-line" }));
      const t = svg("text", { x: x(data.first) + 4, y: P + 9, class: "orw-tick orw-diff-first-label" });
      t.textContent = "first divergence";
      g.append(t);
    }
    for (const [side, pts] of series) {
      if (!pts.length) continue;
      g.append(svg("path", { d: cumulativePath(pts, x, y), class: `orw-diff-cum orw-diff-cum-${side}` }));
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
    if (this.hi >= this.model.get("total")) return;
    await this.loadingPage(async () => {
      const { msg } = await this.kernel.request({ kind: "blocks", start: this.hi, limit: PAGE });
      this.items.append(...msg.blocks.filter((b) => b.bi >= this.hi).map((b) => this.renderBlock(b)));
      this.hi = Math.max(this.hi, msg.end);
    });
  }

  async loadEarlier() {
    if (this.lo <= 0) return;
    await this.loadingPage(async () => {
      const start = Math.max(0, this.lo - PAGE);
      const { msg } = await this.kernel.request({ kind: "blocks", start, limit: this.lo - start });
      const before = this.list.scrollHeight;
      this.items.prepend(...msg.blocks.filter((b) => b.bi < this.lo).map((b) => this.renderBlock(b)));
      this.list.scrollTop += this.list.scrollHeight - before;
      this.lo = Math.min(this.lo, msg.start);
    });
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
    flash(node);
  }

  async showBlock(bi, start) {
    if (!this.blockNode(bi)) {
      try {
        const { msg } = await this.kernel.request({ kind: "blocks", start: start ?? Math.max(0, bi - 2), limit: PAGE });
        this.setWindow(msg.blocks, msg.start, msg.end);
      } catch (e) { this.note(e); return; }
    }
    const node = this.blockNode(bi);
    if (node) this.scrollTo(node);
  }

  async showRow(row) {
    try {
      const { msg } = await this.kernel.request({ kind: "blocks", row, limit: PAGE });
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
        const { msg } = await this.kernel.request({ kind: "fold", block: b.bi, start: loaded });
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

  // --- one event, drawn as the timeline draws it (events.js) ------------------------------
  renderEvent(ev, side) {
    const node = this.cards.card(ev, {
      where: { side },
      idx: ev.bx !== undefined ? this.where(ev.i, ev.bx) : `${side.toUpperCase()} #${ev.i}`,
      body: ev.mk ? () => this.renderMarked(ev, side) : null,
    });
    node.classList.add(`orw-diff-side-${side}`);
    return node;
  }

  // a changed step's body: the words (or JSON keys) that differ from the other side marked
  renderMarked(ev, side) {
    const body = el("div", "orw-body");
    const pre = el("pre", ev.mk.f === "json" ? "orw-text orw-json orw-diff-marked" : "orw-text orw-diff-marked");
    for (const [text, marked] of ev.mk.s) pre.append(marked ? el("span", `orw-diff-mark orw-diff-mark-${side}`, text) : document.createTextNode(text));
    body.append(pre);
    const shown = ev.mk.s.reduce((n, [t]) => n + t.length, 0);
    if (ev.mk.n > shown) body.append(this.cards.clipNote(ev, { side }, body, shown, ev.mk.n));
    return body;
  }
}

export default widget(Diff);
