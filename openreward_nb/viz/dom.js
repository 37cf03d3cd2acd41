// Joined in front of every view's module (openreward_nb/viz/assets.py): the one way views make elements.
// Text a model, a tool or a server wrote goes in through textContent, never as HTML.

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
