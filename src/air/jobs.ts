import type { Deps } from '../deps.js';
import type { Tx } from '../db/client.js';
import type { JobRegistry } from '../queue/types.js';
import { notify } from '../notifications/index.js';

export const ALERT_NOTIFY = 'air.alert-notify';

interface AlertNotice {
  alertId: string;
  type: string;
  level: string;
  zoneId: string;
  agencyCodes: string[];
  operationId: string | null;
  actorAgencyCode: string | null;
}

const VERB: Record<string, string> = { 'air_alert.issued': '发布', 'air_alert.changed': '调整为', 'air_alert.lifted': '解除' };
const LEVEL_ZH: Record<string, string> = { yellow: '黄色', orange: '橙色', red: '红色' };

/** Every agency of both sides in the zone is told at once, each in its own inbox. */
export function sendAlertNotices(tx: Tx, deps: Deps, n: AlertNotice) {
  const kind = n.type.replace('.', '_');
  for (const code of n.agencyCodes)
    notify(tx, deps, {
      kind,
      agencyCode: code,
      subject: `air-alerts/${n.alertId}`,
      message: `重污染天气预警${VERB[n.type] ?? ''}${n.type === 'air_alert.lifted' ? '' : (LEVEL_ZH[n.level] ?? n.level)}${n.type === 'air_alert.lifted' ? '' : '预警'}（区域 ${n.zoneId}）${n.operationId ? '，已启动应急联动执法' : ''}。`,
      data: { alertId: n.alertId, level: n.level, zoneId: n.zoneId, operationId: n.operationId },
      category: 'air',
      actorAgencyCode: n.actorAgencyCode,
    });
}

export function airJobs(registry: JobRegistry, _deps: Deps) {
  registry.handle(ALERT_NOTIFY, {
    queue: 'notify',
    run: (payload: AlertNotice, ctx) => {
      ctx.once((tx) => sendAlertNotices(tx, ctx.deps, payload));
    },
  });
  registry.react(['air_alert.issued', 'air_alert.changed', 'air_alert.lifted'], (e) => {
    const d = e.data as { id: string; level: string; zoneId: string; agencyCodes: string[]; operationId: string | null };
    const actor = e.source.split('/').pop() ?? null;
    return [
      {
        queue: 'notify',
        name: ALERT_NOTIFY,
        id: `air-notify-${e.id}`,
        priority: 1,
        payload: {
          alertId: d.id,
          type: e.type,
          level: d.level,
          zoneId: d.zoneId,
          agencyCodes: d.agencyCodes,
          operationId: d.operationId,
          actorAgencyCode: actor === 'center' ? null : actor,
        },
      },
    ];
  });
}
