// Line charts of an instance's samples, drawn as SVG (no chart library).
import { h, bytes } from '../dom.js';

const svgNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}) {
  const element = document.createElementNS(svgNS, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  return element;
}

/** One chart: series are [label, values (null = gap)] over the same times. */
export function lineChart(title, times, series, format) {
  const width = 600, height = 120;
  const all = series.flatMap(([, values]) => values).filter((v) => v != null);
  const max = Math.max(1e-9, ...all);
  const start = times[0] ?? 0, span = Math.max(1, (times[times.length - 1] ?? 1) - start);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': title });
  chart.append(svg('line', { x1: 0, y1: height - 1, x2: width, y2: height - 1, class: 'axis' }));
  series.forEach(([, values], index) => {
    // A gap (null) breaks the line into pieces.
    let points = [];
    const flush = () => {
      if (points.length === 1) {
        // A lone sample (the first, or one between gaps) is a dot, not an invisible line.
        const [x, y] = points[0].split(',');
        chart.append(svg('circle', { cx: x, cy: y, r: 2.5, class: index ? 'second' : '' }));
      } else if (points.length) {
        chart.append(svg('polyline', { points: points.join(' '), class: index ? 'second' : '' }));
      }
      points = [];
    };
    values.forEach((value, i) => {
      if (value == null) { flush(); return; }
      points.push(`${(((times[i] - start) / span) * width).toFixed(1)},${(height - 2 - (value / max) * (height - 6)).toFixed(1)}`);
    });
    flush();
  });
  const latest = series.map(([label, values]) => `${label} ${format([...values].reverse().find((v) => v != null))}`).join(' · ');
  return h('figure', { class: 'panel chart' }, h('figcaption', {}, h('strong', {}, title), h('span', { class: 'hint' }, ` now: ${latest} · peak ${format(max)}`)), chart);
}

export function metricsCharts(metrics) {
  const samples = metrics?.samples || [];
  if (!samples.length) return [h('p', { class: 'muted' }, 'No samples yet: they appear while the instance runs.')];
  const times = samples.map((s) => new Date(s.time).getTime() / 1000);
  const pick = (key) => samples.map((s) => s[key] ?? null);
  const rate = (v) => (v == null ? '–' : `${bytes(v)}/s`);
  return [
    lineChart('CPU', times, [['CPU', pick('cpuPercent')]], (v) => (v == null ? '–' : `${v.toFixed(0)}%`)),
    lineChart('Memory', times, [['RSS', pick('memoryBytes')]], bytes),
    lineChart('Disk', times, [['read', pick('diskReadBytesPerSecond')], ['write', pick('diskWriteBytesPerSecond')]], rate),
    lineChart('Network', times, [['in', pick('networkReceiveBytesPerSecond')], ['out', pick('networkTransmitBytesPerSecond')]], rate),
  ];
}
