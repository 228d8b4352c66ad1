import type { Tx } from '../db/client.js';
import { labelOf } from '../domain/labels.js';
import { getAgency } from '../reference/hierarchy.js';
import type { ReportRow } from './tables.js';
import type { ReportData } from './service.js';
import { onTimeByAgencyChart, overdueBySideChart, trendChart } from './charts.js';

export function reportSummaryView(tx: Tx, r: ReportRow) {
  const agencyCode = r.scope === 'agency' ? r.agencyCode : null;
  return {
    id: r.id,
    kind: r.kind,
    kindLabel: labelOf('report_kind', r.kind, 'zh-CN'),
    scope: r.scope,
    agencyCode,
    agencyName: agencyCode ? (getAgency(tx, agencyCode)?.name ?? agencyCode) : null,
    side: r.side,
    title: r.title,
    periodFrom: r.periodFrom,
    periodTo: r.periodTo,
    publishedAt: r.publishedAt,
    links: { self: `/v1/reports/${r.id}`, html: `/v1/reports/${r.id}.html`, csv: `/v1/reports/${r.id}.csv` },
  };
}

export const reportView = (tx: Tx, r: ReportRow) => ({ ...reportSummaryView(tx, r), data: r.data as unknown as ReportData });

// ───────────────────────── CSV (tables) ─────────────────────────

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const line = (vs: unknown[]) => vs.map(cell).join(',') + '\r\n';
const side = (s: string | null) => (s === 'all' ? '合计' : s ? labelOf('side', s, 'zh-CN') : '');
const subject = (s: string) => labelOf('stat_subject', s, 'zh-CN');

/** The report's tables, one after another (a title line, a header, rows, a blank line), UTF-8 with a BOM so Excel reads the Chinese. */
export function reportCsv(r: ReportRow): string {
  const d = r.data as unknown as ReportData;
  const out: string[] = ['\uFEFF', line([r.title]), line(['统计期间', r.periodFrom, r.periodTo]), '\r\n'];
  const table = (title: string, header: string[], rows: unknown[][]) => out.push(line([title]), line(header), ...rows.map(line), '\r\n');
  table(
    '一、主要指标',
    ['项目', '兵地', '收到/到期', '办结', '按时办结', '逾期未结', '当前逾期', '按时率'],
    d.figures.map((f) => [subject(f.subject), side(f.side), f.received, f.closed, f.onTime, f.openPastDue, f.overdueNow, f.onTimeRate]),
  );
  table(
    '二、各机构12369举报按时办结率',
    ['机构代码', '机构', '兵地', '收到', '办结', '按时办结', '逾期未结', '按时率'],
    d.onTimeByAgency.map((a) => [a.agencyCode, a.agencyName, side(a.side), a.received, a.closed, a.onTime, a.openPastDue, a.onTimeRate]),
  );
  table(
    '三、发布时全部逾期未结事项（按兵地）',
    ['兵地', '项目', '当前逾期'],
    d.overdueBySide.map((o) => [side(o.side), subject(o.subject), o.overdueNow]),
  );
  table(
    '四、近12期趋势（12369举报）',
    ['期间', '收到', '办结', '按时率'],
    d.trend.map((t) => [t.period, t.received, t.closed, t.onTimeRate]),
  );
  table(
    '五、执法措施',
    ['措施', '件数', '金额（分）'],
    d.measures.byType.map((m) => [labelOf('measure_type', m.type, 'zh-CN'), m.count, m.amountFen]),
  );
  table(
    '六、推诿（退回派单）较多的队伍',
    ['队伍', '队伍名称', '机构', '退回次数'],
    d.declinesByTeam.map((t) => [t.teamId, t.teamName, t.agencyCode, t.declined]),
  );
  return out.join('');
}

// ───────────────────────── HTML (print-ready, charts as SVG) ─────────────────────────

const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const yuan = (fen: number) => (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** A figure cell: shown for people, `data-field`/`data-value` for machines (the browser test reads them). */
const td = (field: string, value: number | null, shown: string = value === null ? '—' : String(value)) =>
  `<td data-field="${esc(field)}" data-value="${value === null ? '' : value}">${esc(shown)}</td>`;

const CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #1d2733; margin: 0 auto; max-width: 190mm; padding: 8mm 0; font-size: 10.5pt; }
header { border-bottom: 2px solid #1f6fb2; margin-bottom: 6mm; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; border-left: 4px solid #1f6fb2; padding-left: 2mm; }
.meta { color: #5a6775; font-size: 9.5pt; margin: 0 0 3mm; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #c9d2dc; padding: 1.2mm 2mm; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
thead th { background: #eef3f8; }
figure.chart { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #5a6775; }
section { break-inside: avoid-page; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } h2 { break-after: avoid; } }
`;

export async function reportHtml(v: ReturnType<typeof reportSummaryView>, r: ReportRow): Promise<string> {
  const d = r.data as unknown as ReportData;
  const unit = r.kind === 'weekly_dispatch' ? '周' : '月';
  const [onTime, overdue, trend] = await Promise.all([onTimeByAgencyChart(d), overdueBySideChart(d), trendChart(d, unit)]);
  const figureRows = d.figures
    .map((f) => {
      const k = `${f.subject}.${f.side}`;
      return `<tr><td class="text">${esc(subject(f.subject))}</td><td class="text">${esc(side(f.side))}</td>${td(`${k}.received`, f.received)}${td(`${k}.closed`, f.closed)}${td(`${k}.onTime`, f.onTime)}${td(`${k}.openPastDue`, f.openPastDue)}${td(`${k}.overdueNow`, f.overdueNow)}${td(`${k}.onTimeRate`, f.onTimeRate, pct(f.onTimeRate))}</tr>`;
    })
    .join('\n');
  const agencyRows = d.onTimeByAgency
    .map(
      (a) =>
        `<tr><td class="text">${esc(a.agencyName)}</td><td class="text">${esc(side(a.side))}</td>${td(`agency.${a.agencyCode}.received`, a.received)}${td(`agency.${a.agencyCode}.closed`, a.closed)}${td(`agency.${a.agencyCode}.openPastDue`, a.openPastDue)}${td(`agency.${a.agencyCode}.onTimeRate`, a.onTimeRate, pct(a.onTimeRate))}</tr>`,
    )
    .join('\n');
  const measureRows = d.measures.byType
    .map(
      (m) =>
        `<tr><td class="text">${esc(labelOf('measure_type', m.type, 'zh-CN'))}</td>${td(`measure.${m.type}.count`, m.count)}${td(`measure.${m.type}.amountFen`, m.amountFen, yuan(m.amountFen))}</tr>`,
    )
    .join('\n');
  const declineRows = d.declinesByTeam
    .map(
      (t) => `<tr><td class="text">${esc(t.teamName ?? t.teamId)}</td><td class="text">${esc(t.agencyCode)}</td>${td(`declines.${t.teamId}`, t.declined)}</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.title)}</title>
<style>${CSS}</style>
</head>
<body data-report-id="${esc(r.id)}" data-kind="${esc(r.kind)}">
<header>
<h1>${esc(r.title)}</h1>
<p class="meta">${esc(v.kindLabel)} · 统计期间 ${esc(r.periodFrom)} 至 ${esc(r.periodTo)}（北京时间） · 发布 ${esc(r.publishedAt)} · 逾期数为发布时状态 · <a href="${esc(v.links.self)}">JSON</a></p>
</header>
<section>
<h2>一、主要指标</h2>
<p class="meta">按时率 = 按时办结 ÷（办结 + 逾期未结）：逾期仍未办结的事项计入分母。</p>
<table data-table="figures"><thead><tr><th>项目</th><th>兵地</th><th>收到/到期</th><th>办结</th><th>按时办结</th><th>逾期未结</th><th>当前逾期</th><th>按时率</th></tr></thead>
<tbody>
${figureRows}
</tbody></table>
</section>
<section>
<h2>二、各机构12369举报按时办结率</h2>
<figure class="chart" data-chart="on-time-by-agency">${onTime}<figcaption>按时办结率（按机构，颜色区分兵地）</figcaption></figure>
<table data-table="agencies"><thead><tr><th>机构</th><th>兵地</th><th>收到</th><th>办结</th><th>逾期未结</th><th>按时率</th></tr></thead>
<tbody>
${agencyRows}
</tbody></table>
</section>
<section>
<h2>三、发布时逾期未结（按兵地）</h2>
<figure class="chart" data-chart="overdue-by-side">${overdue}<figcaption>发布时全部逾期未结事项数（按项目、兵地，不限收件期间）</figcaption></figure>
</section>
<section>
<h2>四、近12${unit}趋势</h2>
<figure class="chart" data-chart="trend">${trend}<figcaption>收到举报（柱）与按时办结率（线）</figcaption></figure>
</section>
<section>
<h2>五、执法措施</h2>
<p class="meta">罚款 <span data-field="finesFen" data-value="${d.measures.finesFen}">${esc(yuan(d.measures.finesFen))}</span> 元；按日连续处罚 <span data-field="dailyPenaltyFen" data-value="${d.measures.dailyPenaltyFen}">${esc(yuan(d.measures.dailyPenaltyFen))}</span> 元。</p>
<table data-table="measures"><thead><tr><th>措施</th><th>件数</th><th>金额（元）</th></tr></thead><tbody>
${measureRows}
</tbody></table>
</section>
<section>
<h2>六、推诿（退回派单）较多的队伍</h2>
<table data-table="declines"><thead><tr><th>队伍</th><th>机构</th><th>退回次数</th></tr></thead><tbody>
${declineRows || '<tr><td class="text" colspan="3">无</td></tr>'}
</tbody></table>
</section>
</body>
</html>
`;
}
