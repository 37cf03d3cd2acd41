// A run's reward charts (anywidget ES module): a histogram and the mean-reward curve, drawn as SVG
// from data computed in the kernel (openreward_nb/viz/charts.py). Clicking a bar or a point sets the
// `filter` trait to the range that element stands for (the run browser links it to the table).
// Every label is numbers made in the kernel, set with textContent.

const NS = "http://www.w3.org/2000/svg";
const W = 420, H = 170, L = 44, R = 10, T = 8, B = 34;

function svg(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}
const fmt = (v) => (Math.round(v * 1e4) / 1e4).toString();

// the smallest 1, 2, 2.5 or 5 times a power of ten at least `raw` (as charts.nice_step)
function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw * (1 - 1e-9)) return m * p;
  return 10 * p;
}
// whole-number ticks from lo to hi at a round spacing (as charts.integer_ticks)
function integerTicks(lo, hi, most = 8) {
  const first = Math.ceil(lo), last = Math.floor(hi);
  if (last < first) return [Math.round(lo)];
  const step = Math.max(1, Math.floor(niceStep((last - first) / Math.max(1, most - 1))));
  const out = [];
  for (let t = Math.ceil(first / step) * step; t <= last; t += step) out.push(t);
  return out.length ? out : [first];
}
const same = (a, b) => !!a && !!b && a.key === b.key && a.lo === b.lo && a.hi === b.hi;

function render({ model, el: root }) {
  root.classList.add("orw-charts");

  function pick(f, node) {
    model.set("filter", same(model.get("filter"), f) ? {} : f);
    model.save_changes();
  }

  function frame(title, hint) {
    const box = el("div", "orw-chart-box");
    const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "orw-svg" });
    box.append(el("div", "orw-chart-title", title), g, el("div", "orw-chart-hint", hint));
    return [box, g];
  }

  function histogram(bins) {
    const [box, g] = frame("reward distribution", "click a bar to show only those rollouts");
    box.classList.add("orw-hist");
    const top = Math.max(1, ...bins.map((b) => b.n));
    const slot = (W - L - R) / bins.length;
    const y = (n) => H - B - (n / top) * (H - B - T);
    g.append(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "orw-axis" }));
    for (const n of integerTicks(0, top, 4)) {
      g.append(svg("text", { x: L - 6, y: y(n) + 3, class: "orw-tick", "text-anchor": "end" }, n));
    }
    const every = Math.max(1, Math.ceil(bins.length / 8));
    const f = model.get("filter");
    bins.forEach((b, k) => {
      const x = L + k * slot;
      const bar = svg("rect", { x: x + 1, y: y(b.n), width: Math.max(1, slot - 2), height: H - B - y(b.n), class: "orw-hbar" });
      if (same(f, b.filter)) bar.classList.add("orw-on");
      bar.dataset.lo = b.lo;
      bar.append(svg("title", {}, `${b.filter.label}: ${b.n} rollouts`));
      bar.addEventListener("click", () => pick(b.filter, bar));
      g.append(bar);
      if (k % every === 0) {
        const at = b.exact ? x + slot / 2 : x;
        g.append(svg("text", { x: at, y: H - B + 13, class: "orw-tick", "text-anchor": "middle" }, fmt(b.lo)));
      }
    });
    if (!bins[bins.length - 1].exact) {
      const last = bins[bins.length - 1];
      g.append(svg("text", { x: W - R, y: H - B + 13, class: "orw-tick", "text-anchor": "middle" }, fmt(last.hi)));
    }
    g.append(svg("text", { x: (L + W) / 2, y: H - 4, class: "orw-tick", "text-anchor": "middle" }, "total reward"));
    return box;
  }

  function curve(c) {
    const hint = c.by === "step" ? "click a point to show only that step's rollouts" : "click a point to show only those rollouts";
    const [box, g] = frame("mean reward (95% band)", hint);
    box.classList.add("orw-curve");
    const pts = c.points;
    let x0 = Math.min(...pts.map((p) => p.x)), x1 = Math.max(...pts.map((p) => p.x));
    let y0 = Math.min(...pts.map((p) => p.mean - p.half)), y1 = Math.max(...pts.map((p) => p.mean + p.half));
    if (x1 === x0) { x0 -= 1; x1 += 1; }
    if (y1 === y0) { y0 -= 1; y1 += 1; }
    const x = (v) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
    const y = (v) => H - B - ((v - y0) / (y1 - y0)) * (H - B - T);
    g.append(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "orw-axis" }));
    for (const v of [y0, y1]) g.append(svg("text", { x: L - 6, y: y(v) + 3, class: "orw-tick", "text-anchor": "end" }, fmt(v)));
    for (const t of integerTicks(x0, x1)) {
      g.append(svg("text", { x: x(t), y: H - B + 13, class: "orw-tick orw-xtick", "text-anchor": "middle" }, t));
    }
    const upper = pts.map((p) => `${x(p.x)},${y(p.mean + p.half)}`);
    const lower = pts.map((p) => `${x(p.x)},${y(p.mean - p.half)}`).reverse();
    g.append(svg("polygon", { points: [...upper, ...lower].join(" "), class: "orw-band" }));
    g.append(svg("polyline", { points: pts.map((p) => `${x(p.x)},${y(p.mean)}`).join(" "), class: "orw-mean" }));
    const f = model.get("filter");
    for (const p of pts) {
      const dot = svg("circle", { cx: x(p.x), cy: y(p.mean), r: 4, class: "orw-cpt" });
      if (same(f, p.filter)) dot.classList.add("orw-on");
      dot.dataset.x = p.x;
      dot.append(svg("title", {}, `${p.filter.label}: mean ${fmt(p.mean)} ± ${fmt(p.half)} (n=${p.n})`));
      dot.addEventListener("click", () => pick(p.filter, dot));
      g.append(dot);
    }
    g.append(svg("text", { x: (L + W) / 2, y: H - 4, class: "orw-tick", "text-anchor": "middle" }, c.label));
    return box;
  }

  // pass@k and the share of groups with no learning signal over training steps (stepchart.py)
  function groups(c) {
    const [box, g] = frame("groups by training step", "pass@k; dashed: share of groups whose rewards are all equal. Click a step to show only its rollouts");
    box.classList.add("orw-groups");
    const pts = c.points;
    let x0 = Math.min(...pts.map((p) => p.x)), x1 = Math.max(...pts.map((p) => p.x));
    if (x1 === x0) { x0 -= 1; x1 += 1; }
    const x = (v) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
    const y = (v) => H - B - v * (H - B - T);
    g.append(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "orw-axis" }));
    for (const v of [0, 0.5, 1]) g.append(svg("text", { x: L - 6, y: y(v) + 3, class: "orw-tick", "text-anchor": "end" }, v));
    for (const t of integerTicks(x0, x1)) {
      g.append(svg("text", { x: x(t), y: H - B + 13, class: "orw-tick orw-xtick", "text-anchor": "middle" }, t));
    }
    const f = model.get("filter");
    c.series.forEach((s, k) => {
      const dashed = k === c.series.length - 1;
      const cls = dashed ? "orw-gline orw-gzero" : `orw-gline orw-g${k}`;
      const kept = pts.map((p, i) => [p, s.values[i]]).filter(([, v]) => v !== null);
      g.append(svg("polyline", { points: kept.map(([p, v]) => `${x(p.x)},${y(v)}`).join(" "), class: cls }));
      for (const [p, v] of kept) {
        const dot = svg("circle", { cx: x(p.x), cy: y(v), r: 3.5, class: `orw-gpt ${cls}` });
        if (same(f, p.filter)) dot.classList.add("orw-on");
        dot.dataset.x = p.x;
        dot.append(svg("title", {}, `${p.filter.label}: ${s.name} ${fmt(v)} (${p.groups} groups)`));
        dot.addEventListener("click", () => pick(p.filter, dot));
        g.append(dot);
      }
      g.append(svg("text", { x: L + 4 + k * 92, y: T + 4, class: `orw-tick orw-gkey ${cls}` }, s.name));
    });
    g.append(svg("text", { x: (L + W) / 2, y: H - 4, class: "orw-tick", "text-anchor": "middle" }, c.label));
    return box;
  }

  function draw() {
    const data = model.get("data") || {};
    root.replaceChildren();
    if (!data.rewards) return;
    root.append(histogram(data.bins), curve(data.curve));
    if (data.groups) root.append(groups(data.groups));
  }

  const redraw = () => draw();
  model.on("change:data", redraw);
  model.on("change:filter", redraw);
  draw();
  return () => { model.off("change:data", redraw); model.off("change:filter", redraw); };
}

export default { render };
