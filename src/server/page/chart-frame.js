// @ts-check
// Runs inside a chart's sandboxed iframe (opaque origin): draws one Chart.js config. A classic
// script (not a module), loaded after Chart.js by the frame charts.js writes.
(() => {
  /** Chart.js, loaded before this script (undefined if it did not load). @type {any} */
  const Chart = /** @type {any} */ (window).Chart;
  /** @param {{ ok: boolean, error?: string, type?: string }} message */
  const status = (message) => {
    try {
      parent.postMessage({ source: "codemode-chart", ...message }, "*");
    } catch {
      // No parent to tell; the chart itself is what matters.
    }
  };
  /** @param {string} text */
  const fail = (text) => {
    /** @type {HTMLElement} */ (document.getElementById("wrap")).textContent =
      `Could not draw this chart: ${text}`;
    status({ ok: false, error: text });
  };
  try {
    if (typeof Chart === "undefined") throw new Error("Chart.js did not load");
    const { config, dark } = JSON.parse(
      /** @type {HTMLElement} */ (document.getElementById("config")).textContent ?? "",
    );
    if (!config || typeof config !== "object" || !config.type) {
      throw new Error('the config needs at least "type" and "data"');
    }
    // Chart.js draws nothing (and says nothing) for an unknown type; say it plainly.
    try {
      Chart.registry.getController(config.type);
    } catch {
      throw new Error(
        `"${config.type}" is not a Chart.js chart type (bar, line, pie, doughnut, radar, polarArea, bubble, scatter)`,
      );
    }
    Chart.defaults.color = dark ? "#c9cfdc" : "#3b4252";
    Chart.defaults.borderColor = dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.1)";
    Chart.defaults.font.family = "system-ui, sans-serif";
    const palette = ["#6d5efc", "#22a3c3", "#f59e0b", "#ef4444", "#10b981", "#ec4899", "#64748b"];
    const datasets = config.data?.datasets ?? [];
    datasets.forEach((/** @type {any} */ dataset, /** @type {number} */ i) => {
      // Give uncoloured datasets a readable palette instead of Chart.js grey.
      if (dataset.backgroundColor === undefined && dataset.borderColor === undefined) {
        const many = ["pie", "doughnut", "polarArea"].includes(dataset.type ?? config.type);
        dataset.backgroundColor = many ? palette : `${palette[i % palette.length]}cc`;
        dataset.borderColor = many ? palette : palette[i % palette.length];
      }
    });
    const options = { responsive: true, maintainAspectRatio: false, ...(config.options ?? {}) };
    const chart = new Chart(document.getElementById("chart"), { ...config, options });
    status({ ok: true, type: chart.config.type });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
})();
