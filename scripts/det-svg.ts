/**
 * DET plot as SVG: false accept rate against false reject rate, both on log axes, with the
 * operating points marked. The axes reach down one decade below what the data can resolve
 * (1 / pair count), so a rate of zero sits on the floor line, labelled as such.
 */
import type { DetPoint } from '../kiosk/biometrics/metrics.ts';

export interface DetMark { label: string; far: number; frr: number; threshold: number }

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function detSvg(curves: { name: string; points: DetPoint[]; colour?: string }[], marks: DetMark[], o: { title: string; impostorPairs: number; genuinePairs: number }): string {
  const W = 640, H = 480, L = 70, R = 20, T = 40, B = 50;
  const loX = Math.floor(Math.log10(1 / Math.max(1, o.impostorPairs))) - 1;
  const loY = Math.floor(Math.log10(1 / Math.max(1, o.genuinePairs))) - 1;
  const x = (far: number): number => L + ((Math.log10(Math.max(far, 10 ** loX)) - loX) / -loX) * (W - L - R);
  const y = (frr: number): number => H - B - ((Math.log10(Math.max(frr, 10 ** loY)) - loY) / -loY) * (H - B - T);
  const parts: string[] = [];
  for (let e = loX; e <= 0; e++) {
    parts.push(`<line x1="${x(10 ** e).toFixed(1)}" y1="${T}" x2="${x(10 ** e).toFixed(1)}" y2="${H - B}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(10 ** e).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${e === loX ? '0' : `1e${e}`}</text>`);
  }
  for (let e = loY; e <= 0; e++) {
    parts.push(`<line x1="${L}" y1="${y(10 ** e).toFixed(1)}" x2="${W - R}" y2="${y(10 ** e).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 6}" y="${(y(10 ** e) + 4).toFixed(1)}" text-anchor="end">${e === loY ? '0' : `1e${e}`}</text>`);
  }
  const palette = ['#c00', '#06c', '#090', '#a0a', '#e80'];
  curves.forEach((c, k) => {
    const colour = c.colour ?? palette[k % palette.length]!;
    // A DET curve is a staircase: FRR holds until the next genuine score falls below the threshold.
    let d = '';
    c.points.forEach((p, i) => {
      const prev = c.points[i - 1];
      d += i === 0 ? `M${x(p.far).toFixed(1)},${y(p.frr).toFixed(1)}` : ` L${x(p.far).toFixed(1)},${y(prev!.frr).toFixed(1)} L${x(p.far).toFixed(1)},${y(p.frr).toFixed(1)}`;
    });
    parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.8"/>`);
    parts.push(`<text x="${W - R - 4}" y="${T + 14 + 14 * k}" text-anchor="end" fill="${colour}">${esc(c.name)}</text>`);
  });
  // Marks are numbered on the curve and spelled out in a legend: near-equal thresholds would overprint.
  marks.forEach((m, k) => {
    const cx = x(m.far), cy = y(m.frr);
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="none" stroke="#000"/>`);
    parts.push(`<text x="${(cx - 4).toFixed(1)}" y="${(cy + (k % 2 ? 16 : -7)).toFixed(1)}" font-size="10" font-weight="bold">${k + 1}</text>`);
    parts.push(`<text x="${L + 8}" y="${H - B - 8 - 13 * (marks.length - 1 - k)}" font-size="10">${esc(`${k + 1}: ${m.label}, threshold ${m.threshold.toFixed(3)}: FAR ${m.far.toExponential(1)}, FRR ${m.frr.toFixed(3)}`)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(`DET: ${o.title}`)}</text>
<text x="${W / 2}" y="32" text-anchor="middle" font-size="10">${esc(`${o.genuinePairs} genuine / ${o.impostorPairs} impostor pairs; rates of 0 sit on the "0" line`)}</text>
${parts.join('\n')}
<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - B - T}" fill="none" stroke="#444"/>
<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">false accept rate (FMR), log scale</text>
<text transform="translate(16,${(H - B + T) / 2}) rotate(-90)" text-anchor="middle">false reject rate (FNMR), log scale</text>
</svg>\n`;
}
