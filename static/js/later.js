// Work that need not hold up the frame a press waits for, in one place: after that frame is
// painted (the address, the requests for what the next press shows), or while the page is idle
// (drawing the next view ahead, warming KaTeX up).

// While idle, or at the latest after IDLE_WAIT_MS (a page kept busy drawing has few idle periods).
const IDLE_WAIT_MS = 300;

/** task() once the page is idle (at the latest after IDLE_WAIT_MS). */
export function whenIdle(task) {
  if (window.requestIdleCallback) requestIdleCallback(task, { timeout: IDLE_WAIT_MS });
  else setTimeout(task, 50);
}

/** task() right after the next frame is painted: the frame does not wait for it. */
export function afterFrame(task) {
  requestAnimationFrame(() => setTimeout(task, 0));
}
