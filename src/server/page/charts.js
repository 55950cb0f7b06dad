// @ts-check
// Charts: each is drawn by Chart.js inside its own sandboxed iframe (chart-frame.js).
import { el, isDark } from "./dom.js";

/** @typedef {import("./types.js").AgentResult["charts"][number]} Chart */

const chartScript = new URL("assets/vendor/chart.umd.js", document.baseURI).href;
const frameScript = new URL("assets/chart-frame.js", document.baseURI).href;

/** (Re)draws a chart frame in the current theme. @param {HTMLIFrameElement} frame */
export function renderChartFrame(frame) {
  const chart = JSON.parse(frame.dataset.chart ?? "null");
  if (typeof chart === "string") {
    frame.srcdoc = chart;
    return;
  }
  const payload = JSON.stringify({ config: chart, dark: isDark() }).replace(/</g, "\\u003c");
  frame.srcdoc = `<!doctype html><html><head><meta charset="utf-8"><style>:root{color-scheme:${isDark() ? "dark" : "light"}}html,body{margin:0;height:100%;background:transparent;font:13px system-ui,sans-serif;color:${isDark() ? "#e6e8ef" : "#1b1f2a"}}#wrap{position:relative;height:100%;padding:10px;box-sizing:border-box}</style></head><body><div id="wrap"><canvas id="chart"></canvas></div><script type="application/json" id="config">${payload}</script><script src="${chartScript}"></script><script src="${frameScript}"></script></body></html>`;
}

/**
 * @param {Chart} chart a Chart.js configuration or an HTML string
 * @param {number} index
 */
export function chartFrame(chart, index) {
  // allow-scripts without allow-same-origin: the chart code runs in an opaque origin and
  // cannot read this page, its storage or its token.
  const frame = el("iframe", {
    sandbox: "allow-scripts",
    title: `Chart ${index + 1}`,
    loading: "lazy",
    "data-chart": JSON.stringify(chart),
  });
  renderChartFrame(frame);
  return frame;
}

/** Redraws every chart (after the theme changed). */
export function redrawCharts() {
  for (const frame of document.querySelectorAll("iframe[data-chart]")) {
    renderChartFrame(/** @type {HTMLIFrameElement} */ (frame));
  }
}
