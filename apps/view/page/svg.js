// SVG elements for the live view's picture.
const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element `name` with `attrs`, and `text` inside if given. */
export function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}
