// The page around the sections: one self-contained HTML document (inline SVG and CSS, no scripts, no network).
import { esc } from "./format.js";
import { renderSvg, type ChartSpec } from "./render-svg.js";

/** A chart rendered to SVG with its caption, or the note saying why there is none. */
export async function figure(id: string, caption: string, spec: ChartSpec | null, emptyNote: string): Promise<string> {
  const body = spec ? await renderSvg(spec) : `<p class="empty">${esc(emptyNote)}</p>`;
  return `<figure id="${id}">${body}<figcaption>${esc(caption)}</figcaption></figure>`;
}

const CSS = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;max-width:1180px;margin:2em auto;padding:0 1.5em;background:#fafafa}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}
.sub{color:#555;margin-top:.3em}.note{color:#666;font-size:.85em}
.verdict{display:inline-block;padding:.25em .8em;border-radius:1em;font-weight:600;color:#fff}
.verdict.supports{background:#2e7d32}.verdict.refutes{background:#c62828}.verdict.inconclusive{background:#8d6e00}.verdict.partial{background:#5d4037}
table{border-collapse:collapse;margin:.6em 0;background:#fff;font-size:.9em}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top;font-variant-numeric:tabular-nums}th{background:#f0f0f0}
figure{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:1em;margin:1.2em 0;overflow-x:auto}
figcaption{color:#555;font-size:.9em;margin-top:.4em}
.empty{color:#8d6e00;font-style:italic}
ol.reasons{font-size:.92em}ol.reasons li{margin:.35em 0}
details{margin:.4em 0 1em}summary{cursor:pointer;color:#333}`;

export function page(title: string, subtitle: string, sections: readonly string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} — memristor-hil report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
${CSS}
</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="sub">${subtitle}</p>
${sections.join("\n")}
</body></html>
`;
}
