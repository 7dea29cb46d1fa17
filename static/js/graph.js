// The unrolled network as SVG: prepare (rows and columns) -> compute layout -> render.
// Element ids come from the server's graph (data-id="h_2", data-id="h_1->h_2"); the page
// lights the ids a record or a term names and never works out a path itself.

import { createSVG } from "./svg.js";
import { describeValue, divergingColour, flatten, formatCompact, formatNumber, largestMagnitude } from "./format.js";

const NODE = { width: 76, height: 50 };
// Parameter boxes: the label in a fixed slot on the left, the value in its own slot to the
// right (room for "-1.234e-12" at 15px, or a heat map of the matrix in its own shape).
const PARAM_NODE = { width: 148, height: 30 };
const PARAM_VALUE = { x: 42, width: 102, height: 24 };
// The most characters a number may take in a box at 15px: "-0.01969" in a step's node,
// "-1.234e-12" in a parameter's value slot.
const NUMBER_CHARS = { [NODE.width]: 8, [PARAM_VALUE.width]: 10 };
const COLUMN_WIDTH = 116;
const PARAM_COLUMN_X = 6 + PARAM_NODE.width / 2;
const FIRST_COLUMN_X = 136;
// Rows from the top: L (right of the last step, above the losses), losses, outputs, the W_y/b_y rails, hidden states, the W_x/W_h/b rails, inputs.
const ROW_Y = { L: 30, loss: 90, output: 154, h: 290, input: 462 };
const RAIL_Y = { W_y: 206, b_y: 240, W_h: 346, W_x: 378, b: 410 };
// Where each parameter's edge enters the node it feeds, left (-) or right (+) of centre.
const ENTRY_OFFSET = { W_h: -30, W_x: -14, b: 18, W_y: -18, b_y: 18 };
const PARAM_LABELS = { W_x: "W_x", W_h: "W_h", b: "b", W_y: "W_y", b_y: "b_y" };

/** Step 1, prepare: index the server's nodes and edges by id. */
export function prepareGraph(graph) {
  return {
    T: graph.T,
    nodes: graph.nodes.map((node) => ({ ...node })),
    edges: graph.edges.map((edge) => ({ ...edge })),
  };
}

/**
 * The rows and rails for this graph: the Elman cell's as drawn above; a gated cell's own
 * parameters get one rail each below the state rows (an LSTM's c_t row below h_t), and
 * their edges enter spread across the node they feed.
 */
function rowsFor(prepared) {
  const rows = { ...ROW_Y }, rails = { ...RAIL_Y }, offsets = { ...ENTRY_OFFSET };
  const others = prepared.nodes.filter((n) => n.kind === "param" && !(n.id in RAIL_Y)).map((n) => n.id);
  const hasCell = prepared.nodes.some((n) => n.kind === "cell");
  if (!others.length && !hasCell) return { rows, rails, offsets, hasCell };
  if (hasCell) rows.cell = ROW_Y.h + 96;
  const first = (hasCell ? rows.cell : ROW_Y.h) + 56;
  others.forEach((id, i) => {
    rails[id] = first + 32 * i;
    offsets[id] = others.length > 1 ? -30 + (60 * i) / (others.length - 1) : 0;
  });
  rows.input = first + 32 * (others.length - 1) + 52;
  return { rows, rails, offsets, hasCell };
}

/** Step 2, compute layout: time runs left to right, h_0 at the far left, parameters on rails. */
export function computeLayout(prepared) {
  const columnX = (t) => FIRST_COLUMN_X + t * COLUMN_WIDTH;
  const { rows, rails, offsets, hasCell } = rowsFor(prepared);
  const position = new Map();
  for (const node of prepared.nodes) {
    if (node.kind === "param") position.set(node.id, { x: PARAM_COLUMN_X, y: rails[node.id] });
    else if (node.kind === "total_loss") {
      position.set(node.id, { x: columnX(prepared.T) + COLUMN_WIDTH * 0.5, y: rows.L });
    } else {
      const row = { input: "input", hidden: "h", cell: "cell", output: "output", loss: "loss" }[node.kind];
      position.set(node.id, { x: columnX(node.t), y: rows[row] });
    }
  }
  const edges = prepared.edges.map((edge) => ({
    ...edge,
    points: edgePoints(edge, position.get(edge.source), position.get(edge.target), offsets, hasCell),
  }));
  const width = columnX(prepared.T) + COLUMN_WIDTH * 0.5 + NODE.width / 2 + 6;
  return { ...prepared, position, edges, width, height: rows.input + NODE.height / 2 + 16 };
}

function edgePoints(edge, from, to, offsets = ENTRY_OFFSET, hasCell = false) {
  const half = NODE.height / 2;
  if (edge.kind === "param") {
    // Along the parameter's rail to the step that uses it, then into the node: one rail, T uses.
    const end = { x: to.x + offsets[edge.source], y: to.y + (from.y > to.y ? half : -half) };
    return [{ x: from.x + PARAM_NODE.width / 2, y: from.y }, { x: end.x, y: from.y }, end];
  }
  if (edge.kind === "recurrent") {
    return [{ x: from.x + NODE.width / 2, y: from.y }, { x: to.x - NODE.width / 2, y: to.y }];
  }
  if (edge.kind === "sum") {
    // ℓ_k -> L: up from the loss, then right along a line above the loss row into L's left
    // side, so no line runs across another loss node.
    return [{ x: from.x, y: from.y - half }, { x: from.x, y: to.y }, { x: to.x - NODE.width / 2, y: to.y }];
  }
  // input, output, loss, state (an LSTM's c_t -> h_t): straight up from source to target.
  if (hasCell && edge.kind === "input" && edge.target.startsWith("h_")) {
    // x_t -> h_t past an LSTM's c_t: beside it, not through it.
    const side = from.x - NODE.width / 2 - 4;
    return [{ x: from.x - 20, y: from.y - half }, { x: side, y: from.y - half - 20 }, { x: side, y: to.y + half + 10 }, { x: to.x - 20, y: to.y + half }];
  }
  return [{ x: from.x, y: from.y - half }, { x: to.x, y: to.y + half }];
}

/** Step 3, render: one <g data-id> per node and one <path data-id> per edge. */
export function renderGraph(svg, layout) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${layout.width} ${layout.height}`);
  svg.setAttribute("width", layout.width);
  svg.setAttribute("height", layout.height);
  svg.append(createArrowMarker());
  const rails = createSVG("g", { class: "rails" });
  for (const node of layout.nodes.filter((n) => n.kind === "param")) {
    const { x, y } = layout.position.get(node.id);
    rails.append(createSVG("line", { x1: x, y1: y, x2: layout.width - 40, y2: y, class: "rail" }));
  }
  const edgeLayer = createSVG("g", { class: "edges" });
  const edgeElements = new Map();
  for (const edge of layout.edges) {
    const d = edge.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    const element = createSVG("path", {
      d,
      "data-id": edge.id,
      class: `edge edge-${edge.kind}`,
      "marker-end": "url(#arrow)",
    }, [createSVG("title", { text: edge.id })]);
    edgeLayer.append(element);
    edgeElements.set(edge.id, element);
  }
  const nodeLayer = createSVG("g", { class: "nodes" });
  const nodeElements = new Map();
  // Reading order (top to bottom, then left to right) is also the Tab order.
  const byPlace = (a, b) => {
    const [p, q] = [layout.position.get(a.id), layout.position.get(b.id)];
    return p.y - q.y || p.x - q.x;
  };
  for (const node of [...layout.nodes].sort(byPlace)) {
    const element = createNode(node, layout.position.get(node.id));
    nodeLayer.append(element);
    nodeElements.set(node.id, element);
  }
  svg.append(rails, edgeLayer, nodeLayer);
  const rendered = { layout, edgeElements, nodeElements };
  pinParameters(svg, rendered);
  return rendered;
}

/**
 * Keep the parameter boxes at the left edge of the graph panel while the time axis scrolls:
 * the boxes move by the scroll offset; their rails (and edges) stay in the scrolling picture,
 * so a lit path always runs back to a labelled box.
 */
function pinParameters(svg, { layout, nodeElements }) {
  const scroller = svg.closest(".graph-scroll");
  const params = layout.nodes.filter((node) => node.kind === "param");
  const place = () => {
    const offset = scroller?.scrollLeft ?? 0;
    for (const node of params) {
      const { x, y } = layout.position.get(node.id);
      const element = nodeElements.get(node.id);
      element.setAttribute("transform", `translate(${x - PARAM_NODE.width / 2 + offset}, ${y - PARAM_NODE.height / 2})`);
    }
  };
  if (scroller) scroller.onscroll = place;
  place();
}

function createArrowMarker() {
  const marker = createSVG("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerUnits: "userSpaceOnUse",
    markerWidth: 9, markerHeight: 9, orient: "auto-start-reverse",
  }, [createSVG("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" })]);
  return createSVG("defs", {}, [marker]);
}

function createNode(node, { x, y }) {
  const isParam = node.kind === "param";
  const label = isParam ? PARAM_LABELS[node.id] ?? node.label : node.label;
  const size = isParam ? PARAM_NODE : NODE;
  const group = createSVG("g", {
    "data-id": node.id,
    class: `node node-${node.kind}`,
    transform: `translate(${x - size.width / 2}, ${y - size.height / 2})`,
    tabindex: 0,
    role: "img",
    "aria-label": `${label}: not computed yet`,
  });
  group.append(
    createSVG("title", { text: `${label}: not computed yet` }),
    createSVG("rect", { width: size.width, height: size.height, rx: isParam ? 4 : 12, class: "node-box" }),
    // Parameters: label left, value right on one line; other nodes: label above value.
    createSVG("text", isParam ? { x: 6, y: 20, class: "node-label start" } : { x: NODE.width / 2, y: 17, class: "node-label" }, [label]),
    createSVG("g", { class: "node-value", transform: isParam ? `translate(${PARAM_VALUE.x}, 3)` : "translate(0, 24)" }),
  );
  group.dataset.label = label;
  return group;
}

/** Show each node's value: a number when scalar, a heat strip for vectors and matrices. */
export function showValues(rendered, valuesById) {
  // One colour scale per kind of quantity (all h_t share one, all x_t another, ...), so a
  // growing or decaying state shows as growing or fading colour: the largest finite |value|.
  const scales = new Map();
  for (const node of rendered.layout.nodes) {
    const value = valuesById.get(node.id);
    if (node.kind === "param" || value === undefined) continue;
    scales.set(node.kind, Math.max(scales.get(node.kind) ?? 0, largestMagnitude(flatten(value))));
  }
  const kindOf = new Map(rendered.layout.nodes.map((node) => [node.id, node.kind]));
  for (const [id, element] of rendered.nodeElements) {
    const value = valuesById.get(id);
    const slot = element.querySelector(".node-value");
    const label = element.dataset.label;
    const description = `${label} = ${describeValue(value)}`;
    element.setAttribute("aria-label", value === undefined ? `${label}: not computed yet` : description);
    element.querySelector("title").textContent = value === undefined ? `${label}: not computed yet` : description;
    const isParam = element.classList.contains("node-param");
    slot.replaceChildren(...(isParam ? paramMarks(value) : valueMarks(value, NODE.width, scales.get(kindOf.get(id)))));
    element.classList.toggle("not-finite", value !== undefined && flatten(value).includes(null));
  }
}

function valueMarks(value, width, sharedScale = undefined) {
  if (value === undefined) return [createSVG("text", { x: width / 2, y: 16, class: "node-number pending", text: "·" })];
  const numbers = flatten(value);
  if (numbers.length === 1) {
    const text = formatCompact(numbers[0], NUMBER_CHARS[width]);
    return [createSVG("text", { x: width / 2, y: 16, class: "node-number", text })];
  }
  if (numbers.length > 64) {
    // Too many numbers for a strip this small (e.g. a 32×32 W_h): its shape; values on hover.
    const shape = Array.isArray(value[0]) ? `${value.length}×${value[0].length}` : `${value.length}`;
    return [createSVG("text", { x: width / 2, y: 16, class: "node-number", text: shape })];
  }
  // A heat strip: up to 16 cells a row, blue below zero, orange above, scaled to the largest entry.
  const perRow = Math.min(numbers.length, 16);
  const rows = Math.ceil(numbers.length / perRow);
  const cell = Math.min(12, (width - 8) / perRow);
  const cellHeight = Math.min(12, 22 / rows);
  const left = (width - cell * perRow) / 2;
  const scale = sharedScale ?? largestMagnitude(numbers);
  // Under a vector node: its own largest |value|, as the colours are shared across the row.
  const magnitude = createSVG("text", {
    x: width / 2, y: NODE.height - 24 - 3, class: "node-magnitude",
    text: `max ${formatNumber(largestMagnitude(numbers), 2)}`,
  });
  return [magnitude, ...numbers.map((number, index) => createSVG("rect", {
    x: left + (index % perRow) * cell,
    y: 2 + Math.floor(index / perRow) * cellHeight,
    width: cell - 0.5,
    height: Math.max(0.5, cellHeight - 0.5),
    fill: divergingColour(number, scale),
    class: "heat-cell",
  }, [createSVG("title", { text: `[${index}] = ${formatNumber(number)}` })]))];
}

/** A parameter's value: a number, or its matrix as a heat map in its own rows and columns. */
function paramMarks(value) {
  const numbers = value === undefined ? [] : flatten(value);
  if (numbers.length <= 1 || numbers.length > 64) return valueMarks(value, PARAM_VALUE.width);
  const rows = Array.isArray(value[0]) ? value.length : 1;
  const columns = numbers.length / rows;
  const cell = Math.min(12, PARAM_VALUE.width / columns);
  const cellHeight = Math.min(12, PARAM_VALUE.height / rows);
  const left = (PARAM_VALUE.width - cell * columns) / 2;
  const top = (PARAM_VALUE.height - cellHeight * rows) / 2;
  const scale = largestMagnitude(numbers);
  return numbers.map((number, index) => {
    const [row, column] = [Math.floor(index / columns), index % columns];
    const where = rows > 1 ? `[${row}, ${column}]` : `[${column}]`;
    return createSVG("rect", {
      x: left + column * cell,
      y: top + row * cellHeight,
      width: Math.max(0.5, cell - 0.5),
      height: Math.max(0.5, cellHeight - 0.5),
      fill: divergingColour(number, scale),
      class: "heat-cell",
    }, [createSVG("title", { text: `${where} = ${formatNumber(number)}` })]);
  });
}

/** Light a path: every id in path.nodes and path.edges, factor edges in their own colours. */
export function lightPath(rendered, path, edgeColours = new Map()) {
  for (const element of [...rendered.nodeElements.values(), ...rendered.edgeElements.values()]) {
    element.classList.remove("lit");
    element.style.removeProperty("--lit-colour");
  }
  if (!path) return;
  for (const id of path.nodes) rendered.nodeElements.get(id)?.classList.add("lit");
  for (const id of path.edges) {
    const element = rendered.edgeElements.get(id);
    if (!element) continue;
    element.classList.add("lit");
    if (edgeColours.has(id)) element.style.setProperty("--lit-colour", edgeColours.get(id));
    element.parentNode.append(element); // draw lit edges on top of the others
  }
}

/** Scroll the graph sideways so step t's column is in view (centred), unless it already is. */
export function revealStep(rendered, t) {
  const scroller = rendered.nodeElements.get(`h_${t}`)?.closest(".graph-scroll");
  if (!scroller || t === null || t === undefined) return;
  const x = rendered.layout.position.get(`h_${t}`).x;
  const margin = NODE.width;
  const pinned = PARAM_COLUMN_X + PARAM_NODE.width / 2; // the parameter boxes cover the left
  const left = scroller.scrollLeft;
  if (x - margin >= left + pinned && x + margin <= left + scroller.clientWidth) return;
  const centre = pinned + (scroller.clientWidth - pinned) / 2;
  scroller.scrollTo({ left: Math.max(0, x - centre), behavior: "instant" });
}
