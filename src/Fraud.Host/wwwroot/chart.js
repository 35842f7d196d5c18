// A small line chart on a canvas: our own, so the dashboard loads nothing from the internet.
"use strict";
class LineChart {
  constructor(canvas, series, capacity) {
    this.canvas = canvas;
    this.series = series; // [{ name, color }]
    this.capacity = capacity;
    this.points = []; // [{ t: Date, values: [..] }]
  }

  push(time, values) {
    this.points.push({ t: time, values });
    if (this.points.length > this.capacity) this.points.shift();
  }

  draw() {
    const c = this.canvas, g = c.getContext("2d");
    const ratio = window.devicePixelRatio || 1;
    const w = c.clientWidth, h = c.clientHeight;
    if (c.width !== w * ratio) { c.width = w * ratio; c.height = h * ratio; }
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    const left = 52, right = 8, top = 20, bottom = 20;
    let max = 1;
    for (const p of this.points) for (const v of p.values) if (v > max) max = v;
    max = niceCeiling(max);
    g.font = "11px system-ui, sans-serif";
    g.strokeStyle = "#2a3541"; g.fillStyle = "#8a96a3"; g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = top + (h - top - bottom) * (1 - i / 4);
      g.beginPath(); g.moveTo(left, y); g.lineTo(w - right, y); g.stroke();
      g.fillText(formatNumber(max * i / 4), 4, y + 4);
    }
    const n = this.capacity;
    const x = i => left + (w - left - right) * (i + n - this.points.length) / Math.max(1, n - 1);
    const y = v => top + (h - top - bottom) * (1 - v / max);
    this.series.forEach((s, k) => {
      g.strokeStyle = s.color; g.lineWidth = 2; g.beginPath();
      this.points.forEach((p, i) => (i === 0 ? g.moveTo(x(i), y(p.values[k])) : g.lineTo(x(i), y(p.values[k]))));
      g.stroke();
      g.fillStyle = s.color; g.fillText(s.name, left + 8 + k * 90, 12);
    });
  }
}

function niceCeiling(v) {
  const e = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

function formatNumber(v) {
  return v >= 1000 ? (v / 1000).toFixed(v >= 10000 ? 0 : 1) + "k" : (Math.round(v * 10) / 10).toString();
}
