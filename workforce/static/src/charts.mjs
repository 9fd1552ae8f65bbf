// Draw each report chart from the data-chart attribute on its canvas. The same figures
// are always in a table on the page, so nothing is lost without JavaScript.
//
// data-chart holds: {title, labels, datasets: [{label, data, colour}], stacked,
// horizontal, percent}, and optionally type: 'line' (bar by default). For a line chart a
// dataset may also say dashed: true (a forecast) or stepped: true (targets held over
// periods); a null in its data is a gap in the line, never a zero. Chart.js
// (vendor/chartjs/chart.umd.min.js) is loaded before this module and defines window.Chart.

const Chart = window.Chart;
const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

// Chart.js draws 12px grey text by default: too small and too faint to read. Use the
// page's own font and text colour, at the size of the page's small print.
if (Chart) {
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  Chart.defaults.font.size = 15;
  Chart.defaults.color = '#0b0c0c';
}

function format(value, percent) {
  if (value === null || value === undefined) {
    return 'no figure';
  }
  const text = Number(value).toLocaleString('en-GB', { maximumFractionDigits: 2 });
  return percent ? text + '%' : text;
}

function tooltip(spec) {
  return {
    callbacks: {
      label: function (context) {
        const value = spec.horizontal ? context.parsed.x : context.parsed.y;
        return context.dataset.label + ': ' + format(value, spec.percent);
      },
    },
  };
}

function drawBar(canvas, spec) {
  const rows = spec.labels.length;
  const width = (canvas.parentElement && canvas.parentElement.clientWidth) || 640;
  const perRow = spec.stacked ? 34 : 24 * spec.datasets.length + 10;
  const height = spec.horizontal ? Math.max(180, rows * perRow + 90) : 360;
  const valueAxis = {
    stacked: spec.stacked,
    beginAtZero: true,
    ticks: {
      precision: spec.percent ? undefined : 0,
      callback: function (value) {
        return format(value, spec.percent);
      },
    },
  };
  if (spec.percent) {
    valueAxis.max = 100;
  }
  const labelAxis = { stacked: spec.stacked, ticks: { autoSkip: false } };
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.datasets.map(function (dataset) {
        return {
          label: dataset.label,
          data: dataset.data,
          backgroundColor: dataset.colour,
          borderColor: dataset.colour,
          borderWidth: 1,
        };
      }),
    },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      responsive: true,
      aspectRatio: width / height,
      animation: reduceMotion ? false : { duration: 300 },
      scales: spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: {
        legend: { display: spec.datasets.length > 1, position: 'bottom' },
        tooltip: tooltip(spec),
      },
    },
  });
}

// Lines over time: each dataset its own colour, a dashed line for a forecast, a stepped
// line for targets, points large enough to see a single figure between gaps.
function drawLine(canvas, spec) {
  const width = (canvas.parentElement && canvas.parentElement.clientWidth) || 640;
  const pointStyles = ['circle', 'rectRot', 'triangle', 'rect'];
  new Chart(canvas, {
    type: 'line',
    data: {
      labels: spec.labels,
      datasets: spec.datasets.map(function (dataset, index) {
        return {
          label: dataset.label,
          data: dataset.data,
          backgroundColor: dataset.colour,
          borderColor: dataset.colour,
          borderWidth: 3,
          borderDash: dataset.dashed ? [8, 6] : [],
          stepped: dataset.stepped ? 'middle' : false,
          pointStyle: pointStyles[index % pointStyles.length],
          pointRadius: 5,
          pointHoverRadius: 7,
          spanGaps: false,
          fill: false,
          tension: 0,
        };
      }),
    },
    options: {
      responsive: true,
      aspectRatio: width / 360,
      animation: reduceMotion ? false : { duration: 300 },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 45 } },
        y: {
          beginAtZero: true,
          ticks: {
            callback: function (value) {
              return format(value, spec.percent);
            },
          },
        },
      },
      plugins: {
        legend: { display: true, position: 'bottom', labels: { usePointStyle: true } },
        tooltip: tooltip(spec),
      },
    },
  });
}

function draw(canvas) {
  let spec;
  try {
    spec = JSON.parse(canvas.getAttribute('data-chart'));
  } catch (error) {
    return;
  }
  if (spec.type === 'line') {
    drawLine(canvas, spec);
  } else {
    drawBar(canvas, spec);
  }
}

if (Chart) {
  document.querySelectorAll('canvas[data-chart]').forEach(draw);
}
