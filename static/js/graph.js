// The unrolled network as SVG: prepare (rows and columns) -> compute layout -> render.
// Element ids come from the server's graph (data-id="h_2", data-id="h_1->h_2"); the page
// lights the ids a record or a term names and never works out a path itself.

import { createSVG } from "./svg.js";
import { describeValue, divergingColour, flatten, formatCompact, formatNumber, largestMagnitude } from "./format.js";

const NODE = { width: 76, height: 50 };
// Parameter boxes: the label in a fixed slot on the left, the value in its own slot to the
// right (room for "-1.234e-12" at 15px, or a heat map of the matrix in its own shape).
const PARAM_NODE = { width: 148, height: 28 }; // 28 + a lit 4px stroke fits the 32px rail gap
const PARAM_VALUE = { x: 42, width: 102, height: 24 };
// The most characters a number may take in a box at 15px: "-0.01969" in a step's node,
// "-1.234e-12" in a parameter's value slot.
const NUMBER_CHARS = { [NODE.width]: 8, [PARAM_VALUE.width]: 10 };
// A step node's heat strip and its magnitude ("max 0.26"), in the value slot's units (it starts
// 24 below the node's top): the strip from 22 to 34 of the node's 50, under the label; the
// magnitude's baseline at 45, its descent clear of a lit 4px border.
const STRIP = { top: -2, height: 12, magnitude: 21 };
const COLUMN_WIDTH = 116;
const PARAM_COLUMN_X = 6 + PARAM_NODE.width / 2;
const FIRST_COLUMN_X = 136;
// Rows from the top: L (right of the last step, above the losses), losses, outputs, the
// output layer's rails (W_y, b_y), then each state row (h_t; c_t for the LSTM) followed by the
// rails of the parameters that feed it, then the inputs.
const ROW_Y = { L: 30, loss: 90, output: 154, h: 290 };
const OUTPUT_RAIL_Y = [206, 240];
const RAIL_GAP = 32; // between rails: parameter boxes are 30 tall
const RAIL_BELOW_ROW = 56; // from a row to the first rail under it
const ROW_BELOW_RAIL = 52; // from a rail to the next row under it
const ROW_OF_KIND = { input: "input", hidden: "h", cell: "c", output: "output", loss: "loss" };

/** Step 1, prepare: index the server's nodes and edges by id. */
export function prepareGraph(graph) {
  return {
    T: graph.T,
    nodes: graph.nodes.map((node) => ({ ...node })),
    edges: graph.edges.map((edge) => ({ ...edge })),
  };
}

/** A step node's row ("h_3" -> "h", "yhat_2" -> "yhat"). */
const rowName = (id) => id.replace(/_\d+$/, "");

/**
 * Which rails go where: each parameter feeds one row (from its edges); within a row, the
 * parameters of one gate stay together, recurrent weights nearest the row, then input
 * weights, then the bias (Elman: W_h, W_x, b).
 */
function railsByRow(prepared) {
  const rowOf = new Map();
  for (const edge of prepared.edges) if (edge.kind === "param") rowOf.set(edge.source, rowName(edge.target));
  const params = prepared.nodes.filter((node) => node.kind === "param").map((node) => node.id);
  const rank = (name) => (name.startsWith("W_h") ? 0 : name.startsWith("W_x") ? 1 : 2);
  const group = (name) => Math.floor(params.indexOf(name) / 3);
  const rails = new Map();
  for (const name of params) {
    const row = rowOf.get(name) ?? "h";
    if (!rails.has(row)) rails.set(row, []);
    rails.get(row).push(name);
  }
  for (const [row, names] of rails) {
    if (row !== "yhat") names.sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
  return rails;
}

/** Where each row and rail sits, top to bottom: the states in the server's order, then x. */
function verticalPlaces(prepared, rails) {
  const states = [...new Set(prepared.nodes.filter((n) => n.kind === "hidden" || n.kind === "cell").map((n) => rowName(n.id)))];
  const rowY = { ...ROW_Y };
  const railY = new Map();
  (rails.get("yhat") ?? []).forEach((name, index) => railY.set(name, OUTPUT_RAIL_Y[index] ?? ROW_Y.output + 52 + index * RAIL_GAP));
  let y = ROW_Y.h;
  states.forEach((state, index) => {
    if (index) y += ROW_BELOW_RAIL;
    rowY[state] = y;
    const names = rails.get(state) ?? [];
    names.forEach((name, n) => railY.set(name, y + RAIL_BELOW_ROW + n * RAIL_GAP));
    if (names.length) y += RAIL_BELOW_ROW + (names.length - 1) * RAIL_GAP;
    else if (index < states.length - 1) y += NODE.height - ROW_BELOW_RAIL + 24;
  });
  rowY.input = y + ROW_BELOW_RAIL + (rails.get(states.at(-1))?.length ? 0 : 20);
  return { rowY, railY, states };
}

/**
 * Where each parameter's edge enters the node it feeds, left (-) or right (+) of centre; the
 * centre is the edge from the row below. A row whose right side takes a detour (h_t of the
 * LSTM, which x_t reaches around c_t) has its parameters all on the left.
 */
function entryOffsets(rails, detoured) {
  const offsets = new Map();
  for (const [row, names] of rails) {
    const left = detoured.has(row) ? names.length : Math.ceil(names.length / 2);
    const right = names.length - left;
    const step = Math.min(16, 24 / Math.max(1, Math.max(left, right) - 1));
    names.forEach((name, index) => {
      const offset = index < left ? -(10 + step * (left - 1 - index)) : 10 + step * (index - left);
      offsets.set(name, offset);
    });
  }
  return offsets;
}

/** Step 2, compute layout: time runs left to right, h_0 at the far left, parameters on rails. */
export function computeLayout(prepared) {
  const columnX = (t) => FIRST_COLUMN_X + t * COLUMN_WIDTH;
  const rails = railsByRow(prepared);
  const { rowY, railY, states } = verticalPlaces(prepared, rails);
  const position = new Map();
  for (const node of prepared.nodes) {
    if (node.kind === "param") position.set(node.id, { x: PARAM_COLUMN_X, y: railY.get(node.id) });
    else if (node.kind === "total_loss") {
      position.set(node.id, { x: columnX(prepared.T) + COLUMN_WIDTH * 0.5, y: ROW_Y.L });
    } else {
      position.set(node.id, { x: columnX(node.t), y: rowY[ROW_OF_KIND[node.kind]] });
    }
  }
  // An input edge with a state row between x_t and its target goes around that row's node.
  const stateYs = states.map((state) => rowY[state]);
  const detour = (edge) => edge.kind === "input" && stateYs.some((y) => y > position.get(edge.target).y && y < position.get(edge.source).y);
  const detoured = new Set(prepared.edges.filter(detour).map((edge) => rowName(edge.target)));
  const offsets = entryOffsets(rails, detoured);
  const edges = prepared.edges.map((edge) => ({
    ...edge,
    points: edgePoints(edge, position.get(edge.source), position.get(edge.target), { offsets, around: detour(edge) }),
  }));
  const width = columnX(prepared.T) + COLUMN_WIDTH * 0.5 + NODE.width / 2 + 6;
  return { ...prepared, position, edges, width, height: rowY.input + NODE.height / 2 + 16 };
}

function edgePoints(edge, from, to, { offsets, around }) {
  const half = NODE.height / 2;
  const side = NODE.width / 2;
  if (edge.kind === "param") {
    // Along the parameter's rail to the step that uses it, then into the node: one rail, T uses.
    const end = { x: to.x + offsets.get(edge.source), y: to.y + (from.y > to.y ? half : -half) };
    return [{ x: from.x + PARAM_NODE.width / 2, y: from.y }, { x: end.x, y: from.y }, end];
  }
  if (edge.kind === "recurrent" && from.y !== to.y) {
    // h_{t-1} -> c_t: from the lower right of one step's node to the upper left of the next.
    const down = Math.sign(to.y - from.y) * half * 0.5;
    return [{ x: from.x + side, y: from.y + down }, { x: to.x - side, y: to.y - down }];
  }
  if (edge.kind === "recurrent") {
    return [{ x: from.x + side, y: from.y }, { x: to.x - side, y: to.y }];
  }
  if (edge.kind === "sum") {
    // ℓ_k -> L: up from the loss, then right along a line above the loss row into L's left
    // side, so no line runs across another loss node.
    return [{ x: from.x, y: from.y - half }, { x: from.x, y: to.y }, { x: to.x - side, y: to.y }];
  }
  if (around) {
    // x_t -> h_t past c_t: out of x_t's right side, up beside c_t, into h_t from below-right.
    const beside = from.x + side + 12;
    const entry = to.x + 28;
    return [
      { x: from.x + side, y: from.y }, { x: beside, y: from.y }, { x: beside, y: to.y + half + 40 },
      { x: entry, y: to.y + half },
    ];
  }
  // input, state (c_t -> h_t), output, loss: straight up from source to target.
  return [{ x: from.x, y: from.y - half }, { x: to.x, y: to.y + half }];
}

/** Step 3, render: one <g data-id> per node and one <path data-id> per edge. */
export function renderGraph(svg, layout) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${layout.width} ${layout.height}`);
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
  const rendered = { layout, edgeElements, nodeElements, svg, scale: 1 };
  fitGraph(rendered);
  pinParameters(svg, rendered);
  return rendered;
}

// How much the picture may grow or shrink to fit its panel: below SCALE.min it scrolls sideways
// (T = 20) rather than shrink its text further; SCALE.max is raised in presentation mode.
export const SCALE = { min: 0.72, max: 2.2 };
// A panel narrower than this (a phone) shrinks the picture to its width, down to NARROW_MIN,
// rather than cut off its start or end: the seed's h_3, ŷ_3, ℓ_3 and L stay in view.
const NARROW = 480;
const NARROW_MIN = 0.45;

/**
 * Scale the picture to its panel: as wide as the panel and no taller than the window below its
 * top, within SCALE. Measures the panel once (at render and on resize), never per step.
 */
export function fitGraph(rendered) {
  const { svg, layout } = rendered;
  const scroller = svg.closest(".graph-scroll");
  if (!scroller) return;
  const roomWide = scroller.clientWidth;
  rendered.viewWidth = roomWide; // kept, so that a step never reads layout (revealStep)
  rendered.scrollLeft = scroller.scrollLeft;
  const top = scroller.getBoundingClientRect().top + window.scrollY;
  const roomHigh = Math.max(240, window.innerHeight - top - 40);
  const fit = Math.min(roomWide / layout.width, roomHigh / layout.height);
  const least = roomWide < NARROW ? Math.min(SCALE.min, NARROW_MIN) : SCALE.min;
  const scale = Math.max(least, Math.min(SCALE.max, fit));
  rendered.scale = scale;
  svg.setAttribute("width", Math.floor(layout.width * scale));
  svg.setAttribute("height", Math.floor(layout.height * scale));
  rendered.place?.();
  if (rendered.revealed) revealNodes(rendered, rendered.revealed); // at the new scale
}

/**
 * Keep the parameter boxes at the left edge of the graph panel while the time axis scrolls:
 * the boxes move by the scroll offset; their rails (and edges) stay in the scrolling picture,
 * so a lit path always runs back to a labelled box.
 */
function pinParameters(svg, rendered) {
  const { layout, nodeElements } = rendered;
  const scroller = svg.closest(".graph-scroll");
  const params = layout.nodes.filter((node) => node.kind === "param");
  const place = () => {
    rendered.scrollLeft = scroller?.scrollLeft ?? 0; // read in the scroll event, not after a step
    const offset = rendered.scrollLeft / rendered.scale; // pixels to the picture's units
    for (const node of params) {
      const { x, y } = layout.position.get(node.id);
      const element = nodeElements.get(node.id);
      element.setAttribute("transform", `translate(${x - PARAM_NODE.width / 2 + offset}, ${y - PARAM_NODE.height / 2})`);
    }
  };
  if (scroller) scroller.onscroll = place;
  rendered.place = place;
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
  const label = node.label;
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
    createSVG("text", isParam ? { x: 6, y: 19, class: "node-label start" } : { x: NODE.width / 2, y: 17, class: "node-label" }, [label]),
    createSVG("g", { class: "node-value", transform: isParam ? `translate(${PARAM_VALUE.x}, 2)` : "translate(0, 24)" }),
  );
  group.dataset.label = label;
  return group;
}

/** Show each node's value: a number when scalar, a heat strip for vectors and matrices. */
export function showValues(rendered, valuesById, digitsById = new Map()) {
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
    const scale = scales.get(kindOf.get(id));
    // Unchanged since the last view (the same numbers, the same scale): keep its marks. A
    // parameter or h_0 comes in every answer as a new array of the same numbers.
    // (Its label as drawn: one written over since, as the quiz does, is drawn again.)
    const intact = element.getAttribute("aria-label") === element.shownLabel;
    const digits = digitsById.get(id) ?? 4;
    if (element.shownOnce && intact && sameNumbers(element.shownValue, value) && element.shownDigits === digits) {
      // Under a new colour scale (the largest |h| grew) a heat strip's cells are recoloured; a
      // number, a shape, a pending "·" and a parameter's own heat map do not follow the scale.
      if (element.shownScale !== scale) recolour(element, value, scale);
      element.shownScale = scale;
      continue;
    }
    element.shownValue = value;
    element.shownScale = scale;
    element.shownDigits = digits;
    element.shownOnce = true;
    const slot = element.querySelector(".node-value");
    const label = element.dataset.label;
    const description = `${label} = ${describeValue(value)}`;
    element.shownLabel = value === undefined ? `${label}: not computed yet` : description;
    element.setAttribute("aria-label", element.shownLabel);
    element.querySelector("title").textContent = value === undefined ? `${label}: not computed yet` : description;
    const isParam = element.classList.contains("node-param");
    slot.replaceChildren(...(isParam ? paramMarks(value, digits) : valueMarks(value, NODE.width, scale)));
    element.classList.toggle("not-finite", value !== undefined && flatten(value).includes(null));
  }
}

/**
 * The L node while its forward pass is under way: L not computed yet, and its label the loss so
 * far as the loss box and the panel say it (`soFar`; null: no step shown, or L is known).
 */
export function showLossSoFar(rendered, soFar) {
  const element = rendered.nodeElements.get("L");
  if (!element || element.shownValue !== undefined) return;
  element.shownLabel = soFar ? `L: not computed yet; ${soFar}` : "L: not computed yet";
  element.setAttribute("aria-label", element.shownLabel);
  element.querySelector("title").textContent = element.shownLabel;
}

/** Whether two values (numbers, vectors, matrices; null where not finite) hold the same numbers. */
function sameNumbers(a, b) {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const [p, q] = [flatten(a), flatten(b)];
  if (p.length !== q.length || Array.isArray(a[0]) !== Array.isArray(b[0]) || a.length !== b.length) return false;
  return p.every((number, index) => number === q[index]);
}

/** A heat strip's cells given the colours of `scale`; false when the node shows no strip. */
function recolour(element, value, scale) {
  const cells = element.querySelectorAll(".node-value > .heat-strip > .heat-cell");
  const numbers = value === undefined ? [] : flatten(value);
  if (element.classList.contains("node-param") || !cells.length || cells.length !== numbers.length) return false;
  cells.forEach((cell, index) => cell.setAttribute("fill", divergingColour(numbers[index], scale)));
  return true;
}

function valueMarks(value, width, sharedScale = undefined, digits = 4) {
  if (value === undefined) return [createSVG("text", { x: width / 2, y: 16, class: "node-number pending", text: "·" })];
  const numbers = flatten(value);
  if (numbers.length === 1) {
    const text = formatCompact(numbers[0], NUMBER_CHARS[width], digits);
    const scientific = text.includes("×"); // "×10⁻⁵" is wider than its digits count: a size smaller
    return [createSVG("text", { x: width / 2, y: 16, class: scientific ? "node-number scientific" : "node-number", text })];
  }
  if (numbers.length > 64) {
    // Too many numbers for a strip this small (e.g. a 32×32 W_h): its shape; values on hover.
    const shape = Array.isArray(value[0]) ? `${value.length}×${value[0].length}` : `${value.length}`;
    return [createSVG("text", { x: width / 2, y: 16, class: "node-number", text: shape })];
  }
  // A heat strip: up to 16 cells a row, blue below zero, orange above, scaled to the largest entry,
  // between the label and the magnitude under it (presentation mode: CSS makes it thinner, as
  // its label and magnitude are set larger; no text on a cell or the node's border).
  const perRow = Math.min(numbers.length, 16);
  const rows = Math.ceil(numbers.length / perRow);
  const cell = Math.min(12, (width - 8) / perRow);
  const cellHeight = STRIP.height / rows;
  const left = (width - cell * perRow) / 2;
  const scale = sharedScale ?? largestMagnitude(numbers);
  // Under a vector node: its own largest |value|, as the colours are shared across the row.
  const magnitude = createSVG("text", {
    x: width / 2, y: STRIP.magnitude, class: "node-magnitude",
    text: `max ${formatNumber(largestMagnitude(numbers), 2)}`,
  });
  const strip = createSVG("g", { class: "heat-strip" }, numbers.map((number, index) => createSVG("rect", {
    x: left + (index % perRow) * cell,
    y: STRIP.top + Math.floor(index / perRow) * cellHeight,
    width: cell - 0.5,
    height: Math.max(0.5, cellHeight - 0.5),
    fill: divergingColour(number, scale),
    class: "heat-cell",
  }, [createSVG("title", { text: `[${index}] = ${formatNumber(number)}` })])));
  return [magnitude, strip];
}

/** A parameter's value: a number (at `digits`, as the update's panel writes it), or its matrix
 * as a heat map in its own rows and columns. */
function paramMarks(value, digits = 4) {
  const numbers = value === undefined ? [] : flatten(value);
  if (numbers.length <= 1 || numbers.length > 64) return valueMarks(value, PARAM_VALUE.width, undefined, digits);
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
export function lightPath(rendered, path, edgeColours = new Map(), { greyed = false } = {}) {
  // Only what the last path marked is unmarked: a class written on every node and edge of a
  // large graph is a mutation (and a style check) for each of them, at every press.
  const marked = new Set();
  const markedBefore = rendered.marked ?? new Set();
  rendered.marked = marked;
  const mark = greyed ? "greyed" : "lit";
  const colourOf = (id) => edgeColours.get(id) ?? null;
  const ids = path ? [...path.nodes, ...path.edges] : [];
  const wanted = new Map(ids.map((id) => [rendered.nodeElements.get(id) ?? rendered.edgeElements.get(id), id]));
  for (const element of markedBefore) {
    if (wanted.has(element)) continue;
    element.classList.remove("lit", "greyed");
    element.style.removeProperty("--lit-colour");
  }
  rendered.stepIds ??= new Set(rendered.layout.nodes.filter((node) => node.kind !== "param").map((node) => node.id));
  if (!path) {
    revealNodes(rendered, [...rendered.stepIds]); // nothing lit: the whole unrolled graph, when it fits
    return;
  }
  // A term the truncation window drops: its path greyed (dashed), not lit in colour.
  for (const [element, id] of wanted) {
    if (!element) continue;
    marked.add(element);
    if (!element.classList.contains(mark) || element.classList.contains(greyed ? "lit" : "greyed")) {
      element.classList.remove("lit", "greyed");
      element.classList.add(mark);
    }
    const colour = colourOf(id);
    if (element.style.getPropertyValue("--lit-colour") !== (colour ?? "")) {
      if (colour === null) element.style.removeProperty("--lit-colour");
      else element.style.setProperty("--lit-colour", colour);
    }
  }
  raiseEdges(path.edges.map((id) => rendered.edgeElements.get(id)).filter(Boolean));
  revealNodes(rendered, path.nodes);
}

/**
 * Draw lit edges on top of the others: each moved to the end of its layer, unless it is there
 * already (among the lit edges that end the layer), as a moved element is styled again.
 */
function raiseEdges(edges) {
  const lit = new Set(edges);
  const layer = edges[0]?.parentNode;
  if (!layer) return;
  let top = layer.lastElementChild;
  while (top && lit.has(top)) {
    lit.delete(top);
    top = top.previousElementSibling;
  }
  for (const edge of edges) if (lit.has(edge)) layer.append(edge);
}

/**
 * Scroll the graph sideways the least distance that brings these step nodes into view, when
 * they fit its width together (a term from h_0 to L); the parameter boxes are pinned in view.
 */
function revealNodes(rendered, ids) {
  const scroller = rendered.svg.closest?.(".graph-scroll");
  const xs = ids.filter((id) => rendered.stepIds.has(id)).map((id) => rendered.layout.position.get(id).x * rendered.scale);
  if (!scroller || !xs.length) return;
  rendered.revealed = ids;
  const half = (NODE.width / 2 + 4) * rendered.scale; // the box and its lit stroke
  const [first, last] = [Math.min(...xs) - half, Math.max(...xs) + half];
  const left = rendered.scrollLeft ?? 0;
  const width = rendered.viewWidth ?? 0;
  if (last - first > width || (first >= left && last <= left + width)) return;
  rendered.scrollLeft = Math.max(0, first < left ? first : last - width);
  scroller.scrollTo({ left: rendered.scrollLeft, behavior: "instant" });
}

/** Scroll the graph sideways so step t's column is in view (centred), unless it already is. */
export function revealStep(rendered, t) {
  const scroller = rendered.nodeElements.get(`h_${t}`)?.closest(".graph-scroll");
  if (!scroller || t === null || t === undefined) return;
  const scale = rendered.scale;
  const x = rendered.layout.position.get(`h_${t}`).x * scale;
  const margin = NODE.width * scale;
  const pinned = (PARAM_COLUMN_X + PARAM_NODE.width / 2) * scale; // the parameter boxes cover the left
  // The scroll position and width as last measured (at fit and in the scroll event): reading
  // them here, right after the nodes were redrawn, would force a style and layout pass.
  const left = rendered.scrollLeft ?? 0;
  const width = rendered.viewWidth ?? 0;
  if (x - margin >= left + pinned && x + margin <= left + width) return;
  const centre = pinned + (width - pinned) / 2;
  rendered.scrollLeft = Math.max(0, x - centre);
  scroller.scrollTo({ left: rendered.scrollLeft, behavior: "instant" });
}
