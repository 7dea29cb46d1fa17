// The update view, for any optimiser: its rule as the server writes it (record.formula), its
// hyper-parameters, then per parameter the optimiser's quantities with their numbers (g, v,
// m̂, ...) and the row θ_new = θ_old + Δθ (SGD: θ_old − η × g). Each row wraps between its
// parts (never inside a matrix); big values are heat maps.

import { createHTML } from "./svg.js";
import { digitsForUpdate, digitsThatMake, digitsToShowChange, exact, flatten, formatNumber, isSingle, shapeOf } from "./format.js";
import { appendDiverged, paramLatex, typeset, valueElement } from "./expression.js";

const SIZE = "compact"; // three values a row: smaller cells keep a row on one line

export function renderUpdate(panel, record) {
  const optimizer = record.optimizer ?? "sgd";
  const heading = `Update, epoch ${record.epoch}` + (optimizer === "sgd" ? "" : ` (${optimizer}, update n = ${record.update_number})`);
  panel.replaceChildren(createHTML("h2", { text: heading }));
  if (record.clipped) {
    panel.append(createHTML("p", { class: "note", text: `Gradient norm ${formatNumber(record.grad_norm)} clipped to ${formatNumber(record.clip_norm)}; g below is the clipped gradient.` }));
  }
  const formula = record.formula?.length ? record.formula : ["\\theta \\leftarrow \\theta - \\eta\\, g"];
  const rule = createHTML("div", { class: "update-rule", "data-optimizer": optimizer },
    formula.map((line) => typeset(line, { display: true, className: "math update-formula" })));
  const hyper = Object.entries(record.hyper ?? {}).map(([name, number]) => `${name} = ${formatNumber(number)}`);
  rule.append(createHTML("p", { class: "note update-hyper", text: [`η = ${formatNumber(record.learning_rate)}`, ...hyper].join(" · ") }));
  const list = createHTML("div", { class: "updates" });
  list.updateRecord = record; // updateentry.js writes an entry of each row out (presentation mode)
  const quantities = (record.quantities ?? []).filter((q) => q.name !== "g" || optimizer !== "sgd");
  for (const name of Object.keys(record.params_new)) {
    const shown = quantities.filter((q) => q.name !== "delta");
    if (shown.length) list.append(quantityRow(name, shown));
    list.append(updateRow(record, name));
  }
  panel.append(rule, list, comparison(record));
  appendDiverged(panel, record.diverged);
}

const COMPARED_NUMBERS = 4; // more numbers: compared in its own row of the update (the table stays narrow)

/**
 * Side by side, as the update leaves them: the old weights (epoch N's) with the loss they
 * gave, L before, and the new weights (epoch N + 1's, on the graph's rails) with the loss
 * they give, L after, both as the server computed them.
 */
function comparison(record) {
  const epoch = record.epoch;
  const lossDigits = digitsToShowChange([record.loss_before], [record.loss_after]);
  const cell = (side, child) => createHTML("td", { class: `compare-${side}` }, [child]);
  const rows = Object.keys(record.params_new).map((name) => {
    const [old, now] = [record.params_old[name], record.params_new[name]];
    const small = flatten(now).length <= COMPARED_NUMBERS;
    const { digits } = updateDigits(record, name); // as in its own row of the update
    const shown = (value, side) => small
      ? valueElement(value, { size: SIZE, digits, name: `${side} ${name}`, className: "compare-value" })
      : createHTML("span", { class: "note", text: `(${shapeOf(now).join("×")}) in its own row of the update` });
    return createHTML("tr", { class: "compare-param", "data-param": name }, [
      createHTML("th", { scope: "row" }, [typeset(paramLatex(name))]),
      cell("old", shown(old, "old")), cell("new", shown(now, "new")),
    ]);
  });
  const loss = (value, side, label) => {
    // null on the wire: the loss stopped being a finite number (the update overflowed)
    const text = value === null ? "overflowed (not a finite number)" : formatNumber(value, lossDigits);
    const element = createHTML("strong", { class: "compare-loss-value", text });
    element.dataset.value = JSON.stringify(value);
    return createHTML("td", { class: `compare-${side}` }, [`${label} = `, element]);
  };
  const table = createHTML("table", { class: "update-compare" }, [
    createHTML("caption", { text: "The weights and the loss they give, before and after the update" }),
    createHTML("thead", {}, [createHTML("tr", {}, [
      createHTML("th", { scope: "col", text: "" }),
      createHTML("th", { scope: "col", class: "compare-old", text: `old weights (epoch ${epoch})` }),
      createHTML("th", { scope: "col", class: "compare-new", text: `new weights (epoch ${epoch + 1}, on the graph)` }),
    ])]),
    createHTML("tbody", {}, [
      ...rows,
      createHTML("tr", { class: "compare-loss" }, [
        createHTML("th", { scope: "row", text: "L" }),
        loss(record.loss_before, "old", "L before"),
        loss(record.loss_after, "new", "L after"),
      ]),
    ]),
  ]);
  return createHTML("div", { class: "compare-box" }, [table]); // scrolls sideways if too wide
}

/** The optimiser's quantities for one parameter, "g = … v = … m̂ = …", each part kept whole. */
function quantityRow(name, quantities) {
  return createHTML("div", { class: "quantity-row", "data-param": name }, [
    createHTML("span", { class: "quantity-param", text: `${name}:` }),
    ...quantities.map((q) => createHTML("span", { class: "update-quantity", "data-quantity": q.name }, [
      typeset(`${q.latex} =`),
      valueElement(q.values[name], { size: SIZE, paren: false, name: `${q.name} of ${name}`, className: "quantity-value" }),
    ])),
  ]);
}

/**
 * [θ_new = old] [+ Δθ] or [− η × g] [= new]: old and new with one count of digits, enough that
 * the change visibly adds up.
 */
function updateRow(record, name) {
  const { digits, grad } = updateDigits(record, name);
  const newValue = valueElement(record.params_new[name], { size: SIZE, digits, name: `new ${name}`, className: "param-new" });
  newValue.dataset.param = name;
  const part = (...children) => createHTML("span", { class: "update-part" }, children);
  // SGD's rule is the notes' θ − η × g: shown as written, not as the Δθ it adds up to.
  const delta = (record.optimizer ?? "sgd") === "sgd" ? null
    : (record.quantities ?? []).find((q) => q.name === "delta");
  const grads = record.clipped ? record.grads_applied : record.grads;
  const change = delta
    ? part(typeset("{} + {}"), valueElement(delta.values[name], { size: SIZE, paren: true, name: `Δ${name}`, className: "param-delta" }))
    : part(typeset(`{} - ${formatNumber(record.learning_rate)} \\times {}`),
      valueElement(grads[name], {
        size: SIZE, paren: true, name: `dL/d${name}`, className: "param-grad",
        digits: grad,
      }));
  return createHTML("div", { class: "update-row", "data-param": name }, [
    part(typeset(`${paramLatex(name)}^{\\text{new}} =`),
      valueElement(record.params_old[name], { size: SIZE, digits, name: `old ${name}`, className: "param-old" })),
    change,
    part(typeset("="), newValue),
  ]);
}

/**
 * Digits for θ_old − η × g = θ_new (SGD, one number): old and new with one count (at least
 * digitsForUpdate's), g with its own, so that the shown numbers, worked out exactly, round to
 * θ_new as shown (digitsThatMake): old at the fewest count for which some g does. 0.4999964 −
 * 0.001 × 0.003915 gives 0.4999925, not the 0.4999924 the update makes: old needs 0.49999640.
 * {digits, grad}; grad 4 for a matrix, another optimiser or when none do.
 */
export function updateDigits(record, name) {
  const [old, now] = [record.params_old[name], record.params_new[name]];
  const digits = digitsForUpdate(old, now);
  const grads = record.clipped ? record.grads_applied : record.grads;
  const eta = record.learning_rate;
  const sgd = (record.optimizer ?? "sgd") === "sgd";
  if (!sgd || ![old, grads[name], now].every(isSingle) || !Number.isFinite(eta)) return { digits, grad: 4 };
  const [oldValue, grad, newValue] = [old, grads[name], now].map((value) => flatten(value)[0]);
  for (let count = digits; count <= 15; count += 1) {
    const [oldShown, etaShown] = [exact.shown(oldValue, count), exact.shown(eta, 4)];
    const step = ([g]) => exact.add(oldShown, exact.negate(exact.multiply(etaShown, g)));
    const [gradCount] = digitsThatMake([grad], newValue, step, [4], count);
    if (exact.roundsTo(step([exact.shown(grad, gradCount)]), newValue, count)) return { digits: count, grad: gradCount };
  }
  return { digits, grad: 4 };
}
