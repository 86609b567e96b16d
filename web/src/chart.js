// A small time-series chart in SVG: the last `points` values of one or more series, redrawn
// on each push. No library: a polyline per series and the latest value in the title.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs) => {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};

export class Chart {
  // series: [{ name, color }]; format: value → text for the legend.
  constructor(title, series, { points = 60, format = (v) => v.toFixed(1), id } = {}) {
    this.series = series.map((s) => ({ ...s, values: [] }));
    this.points = points;
    this.format = format;
    this.pushes = 0;
    this.plot = svg('svg', { viewBox: '0 0 300 80', preserveAspectRatio: 'none', class: 'plot' });
    this.legend = h('div', { class: 'legend' });
    this.el = h('figure', { class: 'chart', id, 'data-pushes': 0 }, h('figcaption', {}, title), this.plot, this.legend);
  }

  push(values) {
    this.series.forEach((s, i) => {
      s.values.push(Number.isFinite(values[i]) ? values[i] : 0);
      if (s.values.length > this.points) s.values.shift();
    });
    this.pushes += 1;
    this.el.dataset.pushes = this.pushes;
    this.draw();
  }

  draw() {
    while (this.plot.firstChild) this.plot.removeChild(this.plot.firstChild);
    const max = Math.max(1e-9, ...this.series.flatMap((s) => s.values)) * 1.1;
    for (const s of this.series) {
      const step = 300 / Math.max(1, this.points - 1);
      const offset = this.points - s.values.length;
      const pts = s.values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(80 - (v / max) * 78).toFixed(1)}`).join(' ');
      this.plot.append(svg('polyline', { points: pts, fill: 'none', stroke: s.color, 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
    }
    this.legend.replaceChildren(...this.series.map((s) => h('span', { style: `color:${s.color}` },
      `${s.name} ${s.values.length ? this.format(s.values[s.values.length - 1]) : '–'}`)));
  }
}
