// Export and import: the graph with its lit path as SVG (the server's ids kept) and as a PNG
// at least 1920 px wide, the scenario as JSON in exactly the API's format (download, and
// upload to open it), the whole derivation of an epoch as JSON, and the printable worksheet.

import { api } from "./api.js";
import { linkQuery } from "./address.js";
import { shareableLink } from "./links.js";

const SVG_NS = "http://www.w3.org/2000/svg";
export const PNG_MIN_WIDTH = 1920;
export const MAX_DETAILED_TERMS = 200; // a derivation fetches at most this many terms' factors
const $ = (id) => document.getElementById(id);

/** Offer `blob` as a download named `name`. */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The rules of the page's own style sheets, for a standalone SVG to look as the page does. */
function pageStyles() {
  const rules = [];
  for (const sheet of document.styleSheets) {
    if (!sheet.href || !new URL(sheet.href).pathname.startsWith("/static/css/")) continue;
    for (const rule of sheet.cssRules) rules.push(rule.cssText);
  }
  return rules.join("\n");
}

/** The graph as it is drawn (values, colours, the lit path with its data-id), standalone. */
export function graphSvgText() {
  const copy = $("graph").cloneNode(true);
  copy.removeAttribute("id");
  copy.setAttribute("xmlns", SVG_NS);
  copy.classList.add("graph-export");
  const style = document.createElementNS(SVG_NS, "style");
  style.textContent = pageStyles();
  const background = document.createElementNS(SVG_NS, "rect");
  for (const [name, value] of Object.entries({ x: 0, y: 0, width: "100%", height: "100%", fill: "#ffffff" })) {
    background.setAttribute(name, value);
  }
  copy.prepend(style, background);
  return new XMLSerializer().serializeToString(copy);
}

export function downloadSvg(name) {
  download(new Blob([graphSvgText()], { type: "image/svg+xml" }), `${name}.svg`);
}

/** The graph as a PNG at least PNG_MIN_WIDTH pixels wide (a slide's width). */
export async function graphPng() {
  const svg = $("graph");
  const width = Number(svg.getAttribute("width"));
  const height = Number(svg.getAttribute("height"));
  const scale = Math.max(1, PNG_MIN_WIDTH / width);
  const image = new Image();
  const text = graphSvgText();
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  image.src = `data:image/svg+xml;base64,${btoa(binary)}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

export async function downloadPng(name) {
  download(await graphPng(), `${name}.png`);
}

/** The scenario at the start of `epoch`'s data, as POST /api/sessions takes it. */
export function scenarioBody(state, weights) {
  return { config: state.config, params: weights, inputs: state.inputs, targets: state.targets, seed: state.seed };
}

export function downloadScenario(state, weights, name) {
  const text = `${JSON.stringify(scenarioBody(state, weights), null, 2)}\n`;
  download(new Blob([text], { type: "application/json" }), `${name}.json`);
}

/** A scenario file's body (JSON); the API checks it when the session is made. */
export async function readScenarioFile(file) {
  const text = await file.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file.name} is not JSON (${error.message})`);
  }
}

/**
 * The whole derivation of an epoch: its forward records, every backward record with each term's
 * factors, and its update, computed for the link (its scenario, the epoch's weights): POST
 * /api/links at 2T steps (and 2T + 1 for the update), read-only sessions of their own.
 */
export async function derivation(body, T) {
  const stepped = { ...body, trained: undefined }; // made by train: only the update takes that path
  const done = await api.openLink({ ...stepped, steps: 2 * T });
  const updated = await api.openLink({ ...body, steps: 2 * T + 1 });
  let fetched = 0;
  const backward = [];
  for (const record of done.backward) {
    const terms = [];
    for (const term of record.terms) {
      fetched += 1;
      terms.push(fetched <= MAX_DETAILED_TERMS ? await api.term(done.id, term.id, done.epoch) : term);
    }
    backward.push({ ...record, terms });
  }
  return {
    about: "BPTT Explorer: the derivation of one epoch (docs/json.md: records, terms, update)",
    scenario: scenarioBody(done, done.params),
    cell: done.cell,
    epoch: done.epoch,
    forward: done.forward,
    backward,
    update: updated.last_update,
    loss: done.loss,
  };
}

export async function downloadDerivation(body, T, name) {
  const text = `${JSON.stringify(await derivation(body, T), null, 2)}\n`;
  download(new Blob([text], { type: "application/json" }), `${name}.json`);
}

/** The worksheet page's address for the link (blanks: the variant with the answers left out). */
export async function worksheetUrl(link, blanks) {
  const shared = new URL(await shareableLink(link));
  shared.searchParams.delete("session");
  if (blanks) shared.searchParams.set("blanks", "1");
  return `/worksheet?${shared.searchParams.toString() || linkQuery(link)}`;
}

/** The export box's buttons and the scenario upload; `hooks` from main.js. */
export function setUpExport(hooks) {
  const name = () => `bptt-${hooks.state().preset ?? "scenario"}-${hooks.key()}`;
  const guard = (task) => async () => {
    try {
      await task();
    } catch (error) {
      const rules = Array.isArray(error.detail)
        ? error.detail.map((rule) => `${rule.loc.slice(1).join(".") || "body"}: ${rule.msg}`).join("; ")
        : error.message;
      hooks.showError(`That did not work: ${rules}`);
    }
  };
  $("export-svg").addEventListener("click", guard(() => downloadSvg(name())));
  $("export-png").addEventListener("click", guard(() => downloadPng(name())));
  $("export-scenario").addEventListener("click", guard(() => downloadScenario(hooks.state(), hooks.weights(), name())));
  $("export-derivation").addEventListener("click", guard(async () => {
    const { body, T } = await hooks.linkScenario();
    await downloadDerivation(body, T, `${name()}-derivation`);
  }));
  for (const [id, blanks] of [["open-worksheet", false], ["open-worksheet-blanks", true]]) {
    $(id).addEventListener("click", guard(async () => {
      window.open(await worksheetUrl(hooks.link(), blanks), "_blank", "noopener");
    }));
  }
  $("import-scenario").addEventListener("change", guard(async () => {
    const [file] = $("import-scenario").files;
    if (!file) return;
    await hooks.openSession(await readScenarioFile(file));
    $("import-scenario").value = "";
  }));
}
