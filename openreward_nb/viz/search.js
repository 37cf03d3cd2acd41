// The search view (anywidget ES module): a box, the filters as controls, results grouped by rollout.
// Safety rule: every string from the store (snippets, names, ids) reaches the DOM through textContent;
// a match is highlighted by cutting the snippet into text nodes around one <mark> element.
// Searches run in the kernel on a thread of their own; hits arrive in messages tagged with the
// search's number, and messages of a search that was replaced are dropped.

const num = (n) => Number(n).toLocaleString("en-US");
const rew = (r) => (r === null || r === undefined ? "–" : (Math.round(r * 1e4) / 1e4).toString());
const plural = (n, word, many) => `${num(n)} ${n === 1 ? word : many || word + "s"}`;

class Search {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    this.looks = model.get("looks") || {};
    this.job = -1;
    this.groups = new Map(); // rollout id -> {box, list, count, n}
    this.runCounts = new Map();
    this.total = 0;
    this.more = false;
    this.onMsg = (msg) => this.receive(msg);
    model.on("msg:custom", this.onMsg);
    this.build();
    if ((model.get("query") || "").trim()) this.submit();
  }

  destroy() { this.model.off("msg:custom", this.onMsg); }

  // --- layout ---------------------------------------------------------------------------------
  build() {
    const r = this.root;
    r.classList.add("orw-searchview", "orw-live");
    const options = this.model.get("options") || {};
    const filters = this.model.get("filters") || {};
    const bar = el("form", "orw-s-bar");
    this.box = el("input", "orw-s-q");
    this.box.type = "search";
    this.box.placeholder = "search every event of every rollout…";
    this.box.value = this.model.get("query") || "";
    const regexLabel = el("label", "orw-s-check");
    this.regex = el("input");
    this.regex.type = "checkbox";
    this.regex.checked = !!this.model.get("regex");
    regexLabel.append(this.regex, el("span", null, "regex"));
    const go = el("button", "orw-s-btn orw-s-go", "search");
    go.type = "submit";
    this.stopBtn = el("button", "orw-s-btn orw-s-stop", "stop");
    this.stopBtn.type = "button";
    this.stopBtn.hidden = true;
    this.stopBtn.addEventListener("click", () => { this.model.send({ kind: "cancel" }); this.finish("stopped"); });
    bar.append(this.box, regexLabel, go, this.stopBtn);
    bar.addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });

    const f = el("div", "orw-s-filters");
    this.run = this.select("run", ["", ...(options.runs || [])], "all runs", filters.runs);
    this.status = this.select("status", ["", ...(options.statuses || [])], "any status", filters.status);
    this.split = this.select("split", ["", ...(options.splits || [])], "any split", filters.split);
    this.tool = this.input("orw-s-tool", "tool name", filters.tool);
    this.minR = this.input("orw-s-min", "min reward", filters.min_reward, "number");
    this.maxR = this.input("orw-s-max", "max reward", filters.max_reward, "number");
    this.typesEl = el("span", "orw-s-types");
    this.types = new Set(filters.types || []);
    for (const t of options.types || []) {
      const b = el("button", "orw-s-type");
      b.type = "button";
      b.dataset.type = t;
      const look = this.looks[t];
      if (look) b.style.setProperty("--orw-c", `light-dark(${look.light}, ${look.dark})`);
      b.textContent = (look && look.label) || t;
      b.setAttribute("aria-pressed", String(this.types.has(t)));
      b.addEventListener("click", () => {
        if (this.types.has(t)) this.types.delete(t); else this.types.add(t);
        b.setAttribute("aria-pressed", String(this.types.has(t)));
        this.refilter();
      });
      this.typesEl.append(b);
    }
    for (const c of [this.run, this.status, this.split]) c.addEventListener("change", () => this.refilter());
    for (const c of [this.tool, this.minR, this.maxR]) c.addEventListener("change", () => this.refilter());
    f.append(this.run, this.status, this.split, this.tool, this.minR, this.maxR, this.typesEl);

    this.statusEl = el("div", "orw-s-status");
    this.progress = el("progress", "orw-s-progress");
    this.progress.hidden = true;
    this.statusText = el("span", "orw-s-text", "type a query and press Enter");
    this.statusEl.append(this.progress, this.statusText);
    this.countsEl = el("div", "orw-s-counts");
    this.results = el("div", "orw-s-results");
    this.moreBtn = el("button", "orw-s-btn orw-s-more", "more results");
    this.moreBtn.type = "button";
    this.moreBtn.hidden = true;
    this.moreBtn.addEventListener("click", () => { this.moreBtn.disabled = true; this.model.send({ kind: "more" }); });
    r.append(bar, f, this.statusEl, this.countsEl, this.results, this.moreBtn);
  }

  select(name, values, any, chosen) {
    const s = el("select", `orw-s-sel orw-s-${name}`);
    const want = Array.isArray(chosen) ? chosen[0] : chosen;
    for (const v of values) {
      const o = el("option", null, v || any);
      o.value = v;
      if (v && v === want) o.selected = true;
      s.append(o);
    }
    return s;
  }

  input(cls, placeholder, value, type) {
    const i = el("input", `orw-s-in ${cls}`);
    i.type = type || "text";
    if (type === "number") i.step = "any";
    i.placeholder = placeholder;
    if (value !== undefined && value !== null) i.value = String(value);
    return i;
  }

  currentFilters() {
    const f = {};
    if (this.run.value) f.runs = [this.run.value];
    if (this.status.value) f.status = [this.status.value];
    if (this.split.value) f.split = [this.split.value];
    if (this.tool.value.trim()) f.tool = this.tool.value.trim();
    if (this.minR.value !== "") f.min_reward = this.minR.value;
    if (this.maxR.value !== "") f.max_reward = this.maxR.value;
    if (this.types.size) f.types = [...this.types];
    return f;
  }

  // --- asking ---------------------------------------------------------------------------------
  submit() {
    const q = this.box.value;
    if (!q.trim()) { this.statusText.textContent = "type a query and press Enter"; return; }
    this.model.send({ kind: "search", q, regex: this.regex.checked, filters: this.currentFilters() });
    this.statusText.textContent = "searching…";
    this.statusText.classList.remove("orw-s-bad");
  }

  refilter() { if (this.box.value.trim()) this.submit(); }

  // --- answers ------------------------------------------------------------------------------
  receive(msg) {
    if (msg.kind === "start") {
      this.job = msg.job;
      if (!msg.append) this.clear();
      this.stopBtn.hidden = false;
      this.moreBtn.hidden = true;
      this.moreBtn.disabled = false;
      return;
    }
    if (msg.job !== this.job) return; // an older search's answer
    if (msg.kind === "hits") this.addHits(msg.hits);
    else if (msg.kind === "progress") this.showProgress(msg);
    else if (msg.kind === "done") { this.more = msg.more; this.finish(null, msg.note); }
    else if (msg.kind === "error") this.fail(msg.message);
  }

  clear() {
    this.groups.clear();
    this.runCounts.clear();
    this.total = 0;
    this.more = false;
    this.results.replaceChildren();
    this.countsEl.replaceChildren();
    this.progress.hidden = true;
  }

  showProgress(msg) {
    this.progress.hidden = false;
    this.progress.max = Math.max(1, msg.total);
    this.progress.value = msg.done;
    const what = msg.step === "indexing" ? "indexing the store for search (once)" : "reading every event";
    this.statusText.textContent = `${what}: ${num(msg.done)} of ${num(msg.total)} events · ${plural(this.total, "match", "matches")} so far`;
  }

  summary() {
    const plus = this.more ? "+" : "";
    return `${num(this.total)}${plus} matching ${this.total === 1 && !plus ? "event" : "events"} in ${plural(this.groups.size, "rollout")}`;
  }

  finish(why, note) {
    this.stopBtn.hidden = true;
    this.progress.hidden = true;
    this.moreBtn.hidden = !this.more || !!why;
    this.moreBtn.disabled = false;
    let text = this.summary();
    if (why) text += ` (${why})`;
    if (note) text += ` · read every event: ${note}`;
    this.statusText.textContent = text;
    this.drawCounts();
  }

  fail(message) {
    this.stopBtn.hidden = true;
    this.progress.hidden = true;
    this.statusText.textContent = message;
    this.statusText.classList.add("orw-s-bad");
  }

  drawCounts() {
    this.countsEl.replaceChildren();
    if (!this.runCounts.size) return;
    const plus = this.more ? "+" : "";
    this.countsEl.append(el("span", "orw-s-dim", "by run:"));
    for (const [run, n] of [...this.runCounts.entries()].sort((a, b) => b[1] - a[1])) {
      const chip = el("button", "orw-s-chip");
      chip.type = "button";
      chip.append(el("span", null, run), el("b", null, `${num(n)}${plus}`));
      chip.title = `search run ${run} only`;
      chip.addEventListener("click", () => {
        if (![...this.run.options].some((o) => o.value === run)) this.run.append(Object.assign(el("option", null, run), { value: run }));
        this.run.value = run;
        this.refilter();
      });
      this.countsEl.append(chip);
    }
  }

  addHits(hits) {
    for (const h of hits) {
      this.total += 1;
      this.runCounts.set(h.run, (this.runCounts.get(h.run) || 0) + 1);
      let g = this.groups.get(h.rid);
      if (!g) {
        const box = el("div", "orw-s-group");
        const head = el("div", "orw-s-ghead");
        const count = el("span", "orw-s-gcount");
        head.append(el("b", "orw-s-grun", h.run), el("span", "orw-s-sep", "/"), el("span", "orw-s-rname", h.rn || h.rid),
          el("span", "orw-s-rid", h.rid), el("span", "orw-s-dim", `total reward ${rew(h.tr)}`), count);
        const list = el("div", "orw-s-list");
        box.append(head, list);
        this.results.append(box);
        g = { box, list, count, n: 0 };
        this.groups.set(h.rid, g);
      }
      g.n += 1;
      g.count.textContent = plural(g.n, "match", "matches");
      g.list.append(this.renderHit(h));
    }
    if (this.total) this.statusText.textContent = `${this.summary()} so far…`;
    this.drawCounts();
  }

  renderHit(h) {
    const row = el("div", "orw-s-hit");
    row.tabIndex = 0;
    row.dataset.rid = h.rid;
    row.dataset.i = h.i;
    const look = this.looks[h.t];
    if (look) row.style.setProperty("--orw-c", `light-dark(${look.light}, ${look.dark})`);
    const head = el("span", "orw-s-hhead");
    head.append(el("span", "orw-s-idx", `#${h.i}`), el("span", "orw-s-kind", (look && look.label) || h.t));
    if (h.nm && h.f !== "name") head.append(el("span", "orw-s-tool", h.nm));
    const snip = el("span", "orw-s-snip");
    const s = String(h.s || "");
    snip.append(s.slice(0, h.a), el("mark", "orw-s-mark", s.slice(h.a, h.b)), s.slice(h.b));
    row.append(head, snip);
    const open = () => {
      for (const old of this.results.querySelectorAll(".orw-s-chosen")) old.classList.remove("orw-s-chosen");
      row.classList.add("orw-s-chosen");
      this.model.send({ kind: "open", rid: h.rid, i: h.i, m: h.m });
    };
    row.addEventListener("click", open);
    row.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
    return row;
  }
}

export default {
  render({ model, el }) {
    const view = new Search(model, el);
    return () => view.destroy();
  },
};
