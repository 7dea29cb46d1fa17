// Check my arithmetic: with the quiz on, before a value is revealed (h_t at a forward step, a
// chain-rule term's value at a backward term, a parameter's w_new at the update) the page
// hides it everywhere (the graph's node, its label for screen readers, the working and the
// term list) and asks for it; the typed numbers are checked against the server's value
// within TOLERANCE, the verdict and the working are shown, and the epoch's score is kept.

import { formatNumber, flatten } from "./format.js";
import { recordOf } from "./timeline.js";

export const TOLERANCE = { relative: 1e-3, absolute: 1e-4 };
export const TOLERANCE_TEXT = "within 0.1% (or 0.0001 of 0)";
const $ = (id) => document.getElementById(id);

const quiz = {
  on: false,
  answers: new Map(), // "session:view key" -> {right, typed}
  asking: null, // the question shown: {id, name, node, value, working}
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

/** What the view reveals, to be asked before it is shown: {name, node, value} or null. */
export function questionOf(view, epoch) {
  if (!view) return null;
  if (view.kind === "forward") {
    const record = recordOf(view, epoch);
    return { name: `h_${record.t}`, node: `h_${record.t}`, value: record.h, working: `h_${record.t} = f(W_x x_${record.t} + W_h h_${record.t - 1} + b)` };
  }
  if (view.kind === "backward") {
    const term = recordOf(view, epoch).terms[view.term ?? -1];
    if (!term || term.value === null || term.value === undefined) return null;
    return { name: `the term ${term.id}`, node: null, value: term.value, working: "the product of its factors (∂ℓ_k/∂h_k, the chain back to h_t, ∂⁺h_t/∂θ)" };
  }
  const [param] = Object.keys(view.record.params_new);
  return { name: `${param} after the update`, node: param, value: view.record.params_new[param], working: `w_new = w_old − η · dL/dw for ${param}` };
}

function scoreText(sessionId, epoch) {
  const mine = [...quiz.answers].filter(([key]) => key.startsWith(`${sessionId}:e${epoch}-`));
  const right = mine.filter(([, answer]) => answer.right).length;
  return `Score this epoch: ${right} of ${mine.length}.`;
}

/** Hide the question's value everywhere it is drawn (called after the page has drawn it). */
function hide(graph, question) {
  document.body.classList.add("quiz-asking");
  const node = question.node && graph?.nodeElements?.get(question.node);
  if (!node) return;
  node.classList.add("quiz-hidden");
  const hidden = `${question.node}: hidden until you answer`;
  node.setAttribute("aria-label", hidden);
  const title = node.querySelector("title");
  if (title) title.textContent = hidden;
}

function showVerdict(answer, question) {
  const exact = flatten(question.value).map((v) => formatNumber(v, 6)).join(", ");
  const verdict = answer.right ? "Right" : "Not quite";
  $("quiz-verdict").textContent = `${verdict}: you wrote ${answer.typed}; the server computed ${exact} (${TOLERANCE_TEXT}). The working is shown below.`;
  $("quiz-verdict").className = `quiz-verdict ${answer.right ? "right" : "wrong"}`;
}

/** After each render: ask the shown view's question (once per view), or show its verdict. */
export function quizRender(view, epoch, state, key, graph) {
  document.body.classList.remove("quiz-asking");
  const box = $("quiz-box");
  box.hidden = !quiz.on;
  if (!quiz.on) return;
  const question = questionOf(view, epoch);
  const id = `${state.id}:${key}`;
  const answer = quiz.answers.get(id);
  quiz.asking = question && !answer ? { ...question, id } : null;
  $("quiz-form").hidden = !quiz.asking;
  $("quiz-score").textContent = scoreText(state.id, epoch.epoch);
  if (!question) {
    $("quiz-question").textContent = "Nothing to work out at this view: step on (→).";
    $("quiz-verdict").textContent = "";
    return;
  }
  $("quiz-question").textContent = quiz.asking
    ? `Work out ${question.name}: ${question.working}. Type its numbers in reading order (${TOLERANCE_TEXT}).`
    : `${question.name}:`;
  if (quiz.asking) {
    $("quiz-verdict").textContent = "";
    hide(graph, question);
    if (quiz.focused !== id) $("quiz-answer").focus({ preventScroll: true }); // a new question
    quiz.focused = id;
  } else showVerdict(answer, question);
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
  quiz.answers.set(question.id, { right: isRight(typed, question.value), typed: typed.join(", ") });
  input.value = "";
  quiz.rerender();
  $("quiz-verdict").focus();
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
