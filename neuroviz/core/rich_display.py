"""Pictures of a network and tables of an update for notebooks (Jupyter's rich display), in plain text.

``network_svg`` draws the network as the app's diagram does, simplified:
layers as columns of neurons named in the paper's notation (a, b, c …),
edges coloured by the sign of θ (red positive, blue negative) and as wide as
|θ| (the strongest ``MAX_EDGES`` of them).  ``trace_html`` lists an update's
parameters: old value, gradient, η, change and new value.  Neither needs Qt:
``Network._repr_svg_`` and ``StepTrace._repr_html_`` call them.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from neuroviz.core.notation import bias_label, layer_letter, weight_label
from neuroviz.core.numbers import count, fmt, plural

if TYPE_CHECKING:
    from neuroviz.core.network import Network
    from neuroviz.core.trace import StepTrace

MAX_EDGES = 1500
"""Edges drawn at most (the strongest |θ|), so that a large network's picture stays small."""
MAX_NEURONS = 40
"""Neurons drawn per layer at most (the rest are summarised as "… n more")."""
MAX_ROWS = 200
"""Parameters listed at most in ``trace_html`` (the largest |∂L/∂·| first beyond that)."""
POSITIVE, NEGATIVE = "#c8373a", "#3a6fb5"
FONT = "DejaVu Sans, Arial, sans-serif"


def _ys(n: int, top: float, height: float) -> np.ndarray:
    """Centres (n,) of ``n`` neurons spread over ``height`` from ``top``."""
    return top + height * (np.arange(n) + 0.5) / n


def network_svg(network: Network, width: int = 640, height: int = 360) -> str:
    """The network as an SVG document of ``width`` × ``height`` pixels."""
    sizes = network.sizes
    shown = [min(n, MAX_NEURONS) for n in sizes]
    margin_x, top, bottom = 50.0, 40.0, 24.0
    xs = np.linspace(margin_x, width - margin_x, len(sizes))
    ys = [_ys(n, top, height - top - bottom) for n in shown]
    radius = max(2.5, min(12.0, 0.4 * (height - top - bottom) / max(shown)))
    edges: list[tuple[float, int, int, int]] = []  # (|θ|, layer, m, n)
    biggest = max((float(np.abs(w).max()) for w in network.weights if w.size), default=1.0) or 1.0
    for layer, w in enumerate(network.weights):
        part = w[: shown[layer + 1], : shown[layer]]
        m_idx, n_idx = np.unravel_index(np.argsort(-np.abs(part), axis=None)[:MAX_EDGES], part.shape)
        edges += [(abs(float(part[m, n])), layer, int(m), int(n)) for m, n in zip(m_idx, n_idx)]
    edges.sort(reverse=True)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for size, layer, m, n in reversed(edges[:MAX_EDGES]):  # the strongest on top
        value = float(network.weights[layer][m, n])
        colour = POSITIVE if value >= 0 else NEGATIVE
        out.append(f'<line x1="{xs[layer]:.1f}" y1="{ys[layer][n]:.1f}" x2="{xs[layer + 1]:.1f}" '
                   f'y2="{ys[layer + 1][m]:.1f}" stroke="{colour}" stroke-width="{0.3 + 3 * size / biggest:.2f}" '
                   f'stroke-opacity="0.8"/>')
    for layer, n in enumerate(sizes):
        kind = "input" if layer == 0 else "output" if layer == len(sizes) - 1 else network.config.activation_of(layer)
        out.append(f'<text x="{xs[layer]:.1f}" y="16" text-anchor="middle" font-weight="bold">'
                   f'{layer_letter(layer)}</text>')
        out.append(f'<text x="{xs[layer]:.1f}" y="30" text-anchor="middle" fill="#666">{n} · {html.escape(kind)}'
                   '</text>')
        for y in ys[layer]:
            out.append(f'<circle cx="{xs[layer]:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="#f4f4f4" stroke="#444"/>')
        if n > shown[layer]:
            out.append(f'<text x="{xs[layer]:.1f}" y="{height - 8}" text-anchor="middle" fill="#666">'
                       f'… {n - shown[layer]} more</text>')
    out.append("</svg>")
    return "\n".join(out)


def trace_html(trace: StepTrace) -> str:
    """The update as an HTML table: every parameter's old value, gradient, η, change and new value."""
    rows: list[tuple[str, float, float, float]] = []  # (label, old, gradient, new): weights, then biases, by layer
    for l, (w, g, new) in enumerate(zip(trace.weights_before, trace.grad_weights, trace.weights_after)):
        rows += [(weight_label(l, m, n, "unicode"), float(w[m, n]), float(g[m, n]), float(new[m, n]))
                 for m, n in np.ndindex(w.shape)]
    for l, (b, g, new) in enumerate(zip(trace.biases_before, trace.grad_biases, trace.biases_after)):
        rows += [(bias_label(l, m, "unicode"), float(b[m]), float(g[m]), float(new[m])) for m in range(b.size)]
    note = ""
    if len(rows) > MAX_ROWS:
        keep = sorted(np.argsort([-abs(r[2]) for r in rows], kind="stable")[:MAX_ROWS].tolist())
        note = f"<p>The {MAX_ROWS} parameters with the largest |∂L/∂·| of {count(len(rows))}.</p>"
        rows = [rows[i] for i in keep]
    eta = fmt(float(trace.lr))
    cells = "".join(f"<tr><td>{html.escape(label)}</td><td>{fmt(old)}</td><td>{fmt(grad)}</td><td>{eta}</td>"
                    f"<td>{fmt(new - old)}</td><td>{fmt(new)}</td></tr>" for label, old, grad, new in rows)
    batch = trace.inputs.shape[0]
    head = (f"<p>One update: loss L = {fmt(trace.loss)} (the mean over {plural(batch, 'sample')}), "
            f"η = {eta}.</p>")
    return (f"<div>{head}{note}<table><thead><tr><th>parameter</th><th>old</th><th>∂L/∂·</th><th>η</th>"
            f"<th>Δ</th><th>new</th></tr></thead><tbody>{cells}</tbody></table></div>")
