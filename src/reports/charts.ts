/**
 * Server-side charts: Vega-Lite specs compiled to Vega and rendered to SVG strings in Node
 * (vega's headless `View.toSVG()`, renderer 'none': no browser, no canvas). vega 6.4.0 and
 * vega-lite 6.5.0, pinned. Text widths are estimated without a canvas, which is close enough for
 * labels.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { labelOf } from '../domain/labels.js';
import type { ReportData } from './service.js';

const FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
const SIDE_COLORS = { domain: ['自治区', '兵团'], range: ['#1f6fb2', '#c8553d'] };
const config = { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 }, view: { stroke: null } };

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** On-time rate of 12369 complaints by agency, coloured by side. */
export function onTimeByAgencyChart(d: ReportData): Promise<string> {
  const values = d.onTimeByAgency.filter((a) => a.onTimeRate !== null).map((a) => ({ ...a, sideLabel: a.side ? labelOf('side', a.side, 'zh-CN') : '—' }));
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    width: 520,
    height: { step: 22 },
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'agencyName', type: 'nominal', title: null, sort: '-x' }, // no title: without a canvas CJK label widths are underestimated and a title would overlap them
      x: { field: 'onTimeRate', type: 'quantitative', title: '按时办结率', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: { field: 'sideLabel', type: 'nominal', title: '兵地', scale: SIDE_COLORS },
    },
  } as TopLevelSpec);
}

/** What is overdue now, by subject and side. */
export function overdueBySideChart(d: ReportData): Promise<string> {
  const values = d.overdueBySide.map((o) => ({
    subject: labelOf('stat_subject', o.subject, 'zh-CN'),
    side: labelOf('side', o.side, 'zh-CN'),
    overdueNow: o.overdueNow,
  }));
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    width: 520,
    height: 200,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'subject', type: 'nominal', title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'side' },
      y: { field: 'overdueNow', type: 'quantitative', title: '当前逾期（件）', axis: { tickMinStep: 1 } },
      color: { field: 'side', type: 'nominal', title: '兵地', scale: SIDE_COLORS },
    },
  } as TopLevelSpec);
}

/** The last 12 weeks or months: complaints received (bars) and the on-time rate (line). */
export function trendChart(d: ReportData, unit: '周' | '月'): Promise<string> {
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    width: 520,
    height: 200,
    data: { values: d.trend },
    encoding: { x: { field: 'period', type: 'ordinal', title: unit === '周' ? '周（周一）' : '月份', axis: { labelAngle: -40 } } },
    layer: [
      {
        mark: { type: 'bar', color: '#9bbbd4' },
        encoding: { y: { field: 'received', type: 'quantitative', title: '收到举报（件）', axis: { tickMinStep: 1 } } },
      },
      {
        mark: { type: 'line', color: '#c8553d', point: true },
        encoding: { y: { field: 'onTimeRate', type: 'quantitative', title: '按时办结率', scale: { domain: [0, 1] }, axis: { format: '.0%' } } },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec);
}
