// A small helper for building SVG (and HTML) elements without innerHTML.

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and optional children (elements or strings). */
export function createSVG(tag, attributes = {}, children = []) {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  appendChildren(element, children);
  return element;
}

/** An HTML element with attributes and optional children. */
export function createHTML(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  appendChildren(element, children);
  return element;
}

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") element.textContent = value;
    else if (name === "style") setStyles(element, value);
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else element.setAttribute(name, value === true ? "" : String(value));
  }
}

/**
 * Styles through CSSOM (element.style), never a style attribute: the page's
 * Content-Security-Policy has no 'unsafe-inline', so a style attribute would be dropped.
 */
function setStyles(element, styles) {
  if (typeof styles !== "object") throw new TypeError("style takes an object: { property: value }");
  for (const [property, value] of Object.entries(styles)) element.style.setProperty(property, String(value));
}

function appendChildren(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}
