// Check my arithmetic: with the quiz on, before a value is revealed the page hides it
// everywhere (the graph's node, its label and the spoken sentence for screen readers, the
// working and the term list) and asks for it: at a forward step each gate and candidate of a
// GRU or LSTM, the cell state, then h_t; at a backward term one of its factors (the entry in
// view, named) and then the term; at the update a parameter's w_new. The typed numbers are
// checked against the server's values within TOLERANCE, the verdict and the working are
// shown, and the epoch's score is kept.

import { typeset } from "./expression.js";
import { formatNumber, flatten } from "./format.js";
import { recordOf } from "./timeline.js";
import { entryOf, matrixShape, pickedEntry } from "./worked.js";

export const TOLERANCE = { relative: 1e-3, absolute: 1e-4 };
export const TOLERANCE_TEXT = "within 0.1% (or 0.0001 of 0)";
const $ = (id) => document.getElementById(id);

// What each value of a forward step is called (the cells' step lines name them).
const VALUE_NAMES = {
  z: "the update gate", r: "the reset gate", n: "the candidate state", i: "the input gate",
  f: "the forget gate", o: "the output gate", g: "the candidate cell", c: "the cell state", h: "the hidden state",
};

const quiz = {
  on: false,
  answers: new Map(), // "session:view key:question" -> {right, typed, verdict}
  asking: null, // the question shown: {id, name, nodes, value, working}
  lastAnswered: null, // the id of the question answered last (its verdict stays shown)
  focused: null, // the question whose answer box was last given focus
  rerender: () => {},
};

/** True when every typed number is within TOLERANCE of the server's, in reading order. */
export function isRight(typed, exact) {
  const expected = flatten(exact);
  if (typed.length !== expected.length) return false;
  return typed.every((number, i) => {
    const value = expected[i];
    if (value === null || !Number.isFinite(number)) return false;
    return Math.abs(number - value) <= Math.max(TOLERANCE.absolute, TOLERANCE.relative * Math.abs(value));
  });
}

/** The numbers in what a person typed: "0.54", "0.54, -0.2", "[0.54 -0.2]" (null: none). */
export function readNumbers(text) {
  const parts = text.replace(/[[\]()]/g, " ").split(/[\s,;]+/).filter(Boolean);
  const numbers = parts.map(Number);
  return parts.length && numbers.every(Number.isFinite) ? numbers : null;
}

/** A forward step's questions: a GRU's or LSTM's every line (gates, candidate, c), then h. */
function forwardQuestions(record, cell) {
  const t = record.t;
  const nodes = (cell?.states ?? ["h"]).map((s) => `${s}_${t}`);
  const lines = cell && cell.name !== "elman" ? cell.step.map((line) => line.result) : ["h"];
  const equations = cell?.equations ?? ["h_t = f(W_x x_t + W_h h_{t-1} + b)"];
  return lines.map((result) => {
    // Elman's one question (h) shows both of its lines; a gated cell's, the line it asks about.
    const own = lines.length > 1 ? equations.filter((line) => line.startsWith(`${result}_t `)) : equations;
    const working = own.join(",\\quad ").replace(/_t\b/g, `_${t}`).replace(/\{t-1\}/g, `{${t - 1}}`);
    const value = result === "h" || result === "c" ? record[result] : record.values?.[result];
    return { id: result, name: `${VALUE_NAMES[result] ?? "the value"} ${result}_${t}`, nodes, value, working };
  }).filter((question) => question.value !== undefined && question.value !== null);
}

/** The factor a term's quiz asks for: its first recurrent one with a value, else the last. */
function askedFactor(detail) {
  const factors = detail.factors ?? [];
  const recurrent = factors.findIndex((f) => f.kind === "recurrent" && f.value !== null);
  const index = recurrent >= 0 ? recurrent : factors.length - 1;
  return index >= 0 && factors[index].value !== null ? index : -1;
}

/** One entry of a term's factor, the entry in view (the panel's picker), named 1-based. */
function factorQuestion(detail) {
  const index = askedFactor(detail);
  if (index < 0) return null;
  const factor = detail.factors[index];
  const [rows, columns] = matrixShape(factor.value, factor.shape);
  const [i, j] = pickedEntry(detail.id, index);
  const where = rows * columns === 1 ? "" : columns === 1 ? `entry ${i + 1} of ` : rows === 1 ? `entry ${j + 1} of ` : `entry (${i + 1}, ${j + 1}) of `;
  return {
    id: `factor-${index}`, name: `${where}the factor ${factor.symbol} of the term ${detail.id}`, nodes: [],
    value: entryOf(factor.value, i, j), working: `${factor.latex} = ${factor.formula}`,
  };
}

/**
 * What the view reveals, in the order it is asked: [{id, name, nodes, value, working}] (working
 * in LaTeX), and `waiting` while a term's factors are still coming (everything stays hidden).
 */
export function questionsOf(view, epoch, cell = null, detail = null) {
  if (!view) return { questions: [] };
  if (view.kind === "forward") return { questions: forwardQuestions(recordOf(view, epoch), cell) };
  if (view.kind === "backward") {
    const term = recordOf(view, epoch).terms[view.term ?? -1];
    if (!term || term.value === null || term.value === undefined) return { questions: [] };
    if (!detail) return { questions: [], waiting: true };
    const factor = detail.error ? null : factorQuestion(detail);
    const whole = { id: "term", name: `the term ${term.id}`, nodes: [], value: term.value, working: "\\text{the product of its factors } \\frac{\\partial \\ell_k}{\\partial h_k} \\cdots \\frac{\\partial^+ h_t}{\\partial \\theta}" };
    return { questions: factor ? [factor, whole] : [whole] };
  }
  const [param] = Object.keys(view.record.params_new);
  const working = `w_{\\text{new}} = w_{\\text{old}} - \\eta\\, \\frac{\\partial L}{\\partial w} \\text{ (${view.record.optimizer}'s rule) for } ${param.replace("_", "\\_")}`;
  return { questions: [{ id: "update", name: `${param} after the update`, nodes: [param], value: view.record.params_new[param], working }] };
}

function scoreText(sessionId, epoch) {
  const mine = [...quiz.answers].filter(([key]) => key.startsWith(`${sessionId}:e${epoch}-`));
  const right = mine.filter(([, answer]) => answer.right).length;
  return `Score this epoch: ${right} of ${mine.length}.`;
}

/** Hide the nodes of the view's questions everywhere they are drawn (after the page drew them). */
function hide(graph, nodes) {
  document.body.classList.add("quiz-asking");
  for (const id of nodes) {
    const node = graph?.nodeElements?.get(id);
    if (!node) continue;
    node.classList.add("quiz-hidden");
    const hidden = `${id}: hidden until you answer`;
    node.setAttribute("aria-label", hidden);
    const title = node.querySelector("title");
    if (title) title.textContent = hidden;
  }
}

function verdictOf(right, typed, question) {
  const exact = flatten(question.value).map((v) => formatNumber(v, 6)).join(", ");
  return `${right ? "Right" : "Not quite"}: ${question.name}; you wrote ${typed}; the server computed ${exact} (${TOLERANCE_TEXT}).`;
}

function showVerdicts(answers, done) {
  const last = answers.at(-1);
  const tail = done ? " The working is shown below." : "";
  $("quiz-verdict").textContent = answers.map((answer) => answer.verdict).join(" ") + tail;
  $("quiz-verdict").className = `quiz-verdict ${last?.right ? "right" : "wrong"}`;
}

function ask(question, step, count) {
  const of = count > 1 ? ` (question ${step} of ${count} at this view)` : "";
  $("quiz-question").replaceChildren(
    `Work out ${question.name}${of}: `, typeset(question.working),
    `. Type its numbers in reading order (${TOLERANCE_TEXT}).`,
  );
}

/**
 * After each render: ask the shown view's next question, or show its verdicts. `detail`: the
 * term's factors when the view is a term (null while they are fetched). True while asking.
 */
export function quizRender(view, epoch, state, key, graph, detail = null) {
  document.body.classList.remove("quiz-asking");
  // What an answered (or another view's) question hid is shown again; this view's is hidden below.
  for (const node of document.querySelectorAll("#graph .quiz-hidden")) node.classList.remove("quiz-hidden");
  const box = $("quiz-box");
  box.hidden = !quiz.on;
  if (!quiz.on) return false;
  const { questions, waiting } = questionsOf(view, epoch, state.cell, detail);
  const base = `${state.id}:${key}:`;
  const index = questions.findIndex((question) => !quiz.answers.has(base + question.id));
  quiz.asking = index >= 0 ? { ...questions[index], id: base + questions[index].id } : null;
  $("quiz-form").hidden = !quiz.asking;
  $("quiz-score").textContent = scoreText(state.id, epoch.epoch);
  const answered = questions.map((question) => quiz.answers.get(base + question.id)).filter(Boolean);
  if (waiting) {
    $("quiz-question").textContent = "Fetching the term's factors to ask about…";
    $("quiz-verdict").textContent = "";
    hide(graph, []);
    return true;
  }
  if (!questions.length) {
    $("quiz-question").textContent = "Nothing to work out at this view: step on (→).";
    $("quiz-verdict").textContent = "";
    return false;
  }
  if (!quiz.asking) {
    $("quiz-question").textContent = questions.length > 1 ? "Your answers at this view:" : `${questions[0].name}:`;
    showVerdicts(answered, true);
    return false;
  }
  ask(quiz.asking, index + 1, questions.length);
  const justAnswered = answered.length && quiz.lastAnswered?.startsWith(base);
  if (justAnswered) showVerdicts(answered.slice(-1), false);
  else $("quiz-verdict").textContent = "";
  hide(graph, questions.flatMap((question) => question.nodes));
  if (quiz.focused !== quiz.asking.id) $("quiz-answer").focus({ preventScroll: true }); // a new question
  quiz.focused = quiz.asking.id;
  return true;
}

function check(event) {
  event.preventDefault();
  const question = quiz.asking;
  if (!question) return;
  const input = $("quiz-answer");
  const typed = readNumbers(input.value);
  if (!typed) {
    $("quiz-verdict").textContent = "Type a number (or several, separated by commas).";
    input.focus();
    return;
  }
  const right = isRight(typed, question.value);
  const text = typed.join(", ");
  quiz.answers.set(question.id, { right, typed: text, verdict: verdictOf(right, text, question) });
  quiz.lastAnswered = question.id;
  input.value = "";
  quiz.rerender();
  if (!quiz.asking) $("quiz-verdict").focus(); // the view is revealed: → steps on from here
}

export function setUpQuiz(rerender) {
  quiz.rerender = rerender;
  $("quiz-toggle").addEventListener("change", (event) => {
    quiz.on = event.target.checked;
    rerender();
    if (quiz.on && quiz.asking) $("quiz-answer").focus();
  });
  $("quiz-form").addEventListener("submit", check);
}
