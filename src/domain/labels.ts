/**
 * Labels of every enumerated code the API speaks, in Chinese (zh-CN, the default everywhere a
 * person reads them) and English. Codes stay the contract; labels are for people. One place, so a
 * public page, a report and a client app call a status the same thing; a test checks that every
 * value of every enum in the code has both labels.
 */
export type Language = 'zh-CN' | 'en';
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];

export interface VocabularyList {
  description: string;
  /** code → [zh-CN, en] */
  terms: Record<string, readonly [zh: string, en: string]>;
}

export const VOCABULARY = {
  side: {
    description: 'The two sides of the seam',
    terms: { region: ['自治区', 'Autonomous Region'], corps: ['兵团', 'Production and Construction Corps'] },
  },
  category: {
    description: 'Environmental category of a complaint, case or team',
    terms: {
      air: ['大气污染', 'Air pollution'],
      water: ['水污染', 'Water pollution'],
      soil: ['土壤污染', 'Soil pollution'],
      noise: ['噪声污染', 'Noise'],
      solid_waste: ['固体废物', 'Solid waste'],
      radiation: ['辐射', 'Radiation'],
      ecology: ['生态破坏', 'Ecological damage'],
      other: ['其他', 'Other'],
    },
  },
  role: {
    description: 'Role of an API key',
    terms: {
      admin: ['系统管理员', 'Administrator'],
      intake: ['12369受理人员', '12369 intake staff'],
      supervisor: ['监管人员', 'Supervisor'],
      inspector: ['执法人员', 'Inspector'],
      partner: ['对接系统', 'Partner system'],
    },
  },
  review_stage: {
    description: 'Stage of the review path of a complaint (信访工作条例 arts. 35–36)',
    terms: { review: ['复查', 'Review'], re_review: ['复核', 'Re-review'] },
  },
  agency_level: {
    description: 'Level of an agency on its side',
    terms: {
      autonomous_region: ['自治区级', 'Autonomous Region'],
      prefecture: ['地（州、市）级', 'Prefecture'],
      county: ['县（市、区）级', 'County'],
      corps: ['兵团级', 'Corps'],
      division: ['师（市）级', 'Division'],
      regiment: ['团（镇）级', 'Regiment'],
    },
  },
  area_kind: {
    description: 'Kind of area',
    terms: { jurisdiction: ['行政辖区', 'Jurisdiction'], grid: ['网格', 'Grid'], protected: ['保护区', 'Protected area'] },
  },
  channel: {
    description: 'How a complaint reached the 12369 center',
    terms: {
      phone: ['电话', 'Phone'],
      web: ['网站', 'Web form'],
      wechat: ['微信', 'WeChat'],
      letter: ['来信', 'Letter'],
      visit: ['来访', 'Visit'],
      open311: ['Open311接口', 'Open311'],
      other: ['其他', 'Other'],
    },
  },
  complaint_status: {
    description: 'Status of a 12369 complaint',
    terms: {
      received: ['已接收', 'Received'],
      accepted: ['已受理', 'Accepted'],
      not_accepted: ['不予受理', 'Not accepted'],
      transferred: ['已转办', 'Transferred'],
      routed: ['已分派', 'Routed'],
      in_progress: ['办理中', 'In progress'],
      replied: ['已答复', 'Replied'],
      under_review: ['复查（复核）中', 'Under review'],
      reviewed: ['已出具复查意见', 'Reviewed'],
      closed: ['已办结', 'Closed'],
    },
  },
  assignment_status: {
    description: 'Status of a team assignment',
    terms: {
      pending: ['待认领', 'Pending'],
      claimed: ['已认领', 'Claimed'],
      completed: ['已完成', 'Completed'],
      declined: ['已退回', 'Declined'],
      superseded: ['已改派', 'Superseded'],
      cancelled: ['已取消', 'Cancelled'],
    },
  },
  assignment_role: {
    description: 'Role of a team on a subject',
    terms: { lead: ['主办', 'Lead'], co_handling: ['协办', 'Co-handling'] },
  },
  case_status: {
    description: 'Status of an enforcement case',
    terms: {
      registered: ['已立案', 'Registered'],
      investigating: ['调查取证', 'Investigating'],
      pending_decision: ['待决定', 'Pending decision'],
      decided: ['已决定', 'Decided'],
      executing: ['执行中', 'Executing'],
      closed: ['已结案', 'Closed'],
      suspended: ['中止', 'Suspended'],
      withdrawn: ['已撤销', 'Withdrawn'],
      transferred: ['已移送', 'Transferred'],
    },
  },
  case_origin: {
    description: 'Where a case came from',
    terms: {
      complaint: ['信访举报', 'Complaint'],
      inspection: ['执法检查', 'Inspection'],
      referral: ['移送线索', 'Referral'],
      joint_operation: ['联合执法', 'Joint operation'],
      other: ['其他', 'Other'],
    },
  },
  measure_type: {
    description: 'Kind of enforcement measure',
    terms: {
      warning: ['警告', 'Warning'],
      fine: ['罚款', 'Fine'],
      daily_penalty: ['按日连续处罚', 'Daily continuous penalty'],
      seal_seizure: ['查封、扣押', 'Seal / seizure'],
      production_restriction: ['限制生产', 'Production restriction'],
      production_suspension: ['停产整治', 'Production suspension'],
      police_transfer: ['移送公安机关', 'Transfer to police'],
      listed_supervision: ['挂牌督办', 'Listed supervision'],
      hearing_notice: ['听证告知', 'Hearing-rights notice'],
    },
  },
  supervision_class: {
    description: 'Supervision class of a pollution source for random inspections',
    terms: { key: ['重点排污单位', 'Key discharger'], special: ['特殊监管对象', 'Special supervision'], general: ['一般排污单位', 'General discharger'] },
  },
  filing_status: {
    description: 'Status of a cross-filing (互相备案)',
    terms: { pending: ['待确认', 'Pending'], acknowledged: ['已确认', 'Acknowledged'], overdue: ['逾期未确认', 'Overdue'] },
  },
  filing_trigger: {
    description: 'What made a case be filed with the other side',
    terms: {
      registered: ['立案', 'Registered'],
      decided: ['作出决定', 'Decided'],
      closed: ['结案', 'Closed'],
      fine: ['罚款', 'Fine'],
      police_transfer: ['移送公安', 'Police transfer'],
      seal_seizure: ['查封扣押', 'Seal / seizure'],
      production_suspension: ['停产整治', 'Production suspension'],
      listed_supervision: ['挂牌督办', 'Listed supervision'],
      manual: ['手动备案', 'Manual'],
    },
  },
  filing_reason: {
    description: 'Why an agency receives a filing',
    terms: {
      place: ['地处交界', 'Place on the seam'],
      source: ['涉及对方污染源', 'Source of the other side'],
      co_handling: ['协办', 'Co-handling'],
      manual: ['手动', 'Manual'],
    },
  },
  inbox_kind: {
    description: 'Kind of agency inbox item',
    terms: { filing: ['备案', 'Filing'], notification: ['通报', 'Notification'], info_request: ['补充材料请求', 'Information request'] },
  },
  inbox_status: {
    description: 'Status of an agency inbox item',
    terms: {
      pending: ['待处理', 'Pending'],
      acknowledged: ['已确认', 'Acknowledged'],
      overdue: ['已逾期', 'Overdue'],
      open: ['待答复', 'Open'],
      answered: ['已答复', 'Answered'],
      info: ['知悉', 'For information'],
    },
  },
  inspection_mode: {
    description: 'How a random-inspection plan pairs the sides',
    terms: { same_side: ['本方检查', 'Same side'], cross: ['交叉检查', 'Cross'], joint: ['联合检查', 'Joint'] },
  },
  plan_status: {
    description: 'Status of a random-inspection plan',
    terms: { committing: ['提交承诺', 'Committing'], revealing: ['揭示随机数', 'Revealing'], drawn: ['已抽取', 'Drawn'], failed: ['抽取失败', 'Failed'] },
  },
  inspection_status: {
    description: 'Status of a drawn inspection',
    terms: { drawn: ['已抽取', 'Drawn'], open: ['检查中', 'Open'], recorded: ['已记录', 'Recorded'], published: ['已公开', 'Published'] },
  },
  inspection_outcome: {
    description: 'Outcome of an inspection',
    terms: { no_issue: ['未发现问题', 'No issue'], rectify: ['责令整改', 'Rectify'], case: ['立案查处', 'Case opened'] },
  },
  item_result: {
    description: 'Result of one checklist item',
    terms: { compliant: ['符合', 'Compliant'], non_compliant: ['不符合', 'Non-compliant'], not_applicable: ['不适用', 'Not applicable'] },
  },
  operation_kind: {
    description: 'Kind of a joint operation',
    terms: { joint: ['联合执法', 'Joint enforcement'], cross: ['交叉执法', 'Cross enforcement'] },
  },
  operation_status: {
    description: 'Status of a joint operation',
    terms: { proposed: ['待确认', 'Proposed'], confirmed: ['已确认', 'Confirmed'], closed: ['已结束', 'Closed'] },
  },
  operation_task_status: {
    description: 'Status of a joint-operation task',
    terms: { open: ['待检查', 'Open'], recorded: ['已记录', 'Recorded'], cancelled: ['已取消', 'Cancelled'] },
  },
  air_level: {
    description: 'Heavy-pollution alert level (重污染天气预警级别)',
    terms: { yellow: ['黄色预警', 'Yellow'], orange: ['橙色预警', 'Orange'], red: ['红色预警', 'Red'] },
  },
  air_alert_status: {
    description: 'Status of a heavy-pollution alert',
    terms: { active: ['预警中', 'Active'], lifted: ['已解除', 'Lifted'] },
  },
  pollutant: {
    description: 'Pollutant of an emergency reduction list',
    terms: { so2: ['二氧化硫', 'SO₂'], nox: ['氮氧化物', 'NOx'], pm: ['颗粒物', 'Particulate matter'], vocs: ['挥发性有机物', 'VOCs'] },
  },
  emergency_measure: {
    description: 'Emergency reduction measure (应急减排措施)',
    terms: {
      stop_process: ['停产或停止生产工序', 'Stop process'],
      limit_load: ['限产限负荷', 'Limit load'],
      stop_transport: ['停止大宗物料运输', 'Stop bulk transport'],
      suspend_construction: ['停止土石方和拆除作业', 'Suspend construction'],
      stop_open_burning: ['禁止露天焚烧', 'Stop open burning'],
      reduce_boiler_output: ['锅炉降负荷', 'Reduce boiler output'],
      enhanced_dust_control: ['强化扬尘管控', 'Enhanced dust control'],
    },
  },
  partner_audience: {
    description: 'What a partner key reads beyond what it created',
    terms: {
      created: ['仅本系统提交', 'Only its own'],
      side: ['本方', 'Its side'],
      agency: ['本机构及下级', 'Its agency subtree'],
      all: ['双方全部', 'Both sides'],
    },
  },
  partner_scope: {
    description: 'Read-only scope of a partner key',
    terms: { events: ['事件', 'Events'], complaints: ['信访举报', 'Complaints'], cases: ['案件', 'Cases'], filings: ['备案', 'Filings'] },
  },
  rectification_kind: {
    description: 'Kind of rectification task',
    terms: { immediate: ['立行立改', 'Immediate'], staged: ['分阶段推进', 'Staged'], long_term: ['长期整治', 'Long-term'] },
  },
  rectification_status: {
    description: 'Status of a rectification task',
    terms: {
      open: ['整改中', 'Open'],
      close_off_requested: ['申请销号', 'Close-off requested'],
      public_notice: ['公示中', 'In public notice'],
      closed_off: ['已销号', 'Closed off'],
    },
  },
  progress_status: {
    description: 'Weekly progress of a rectification task',
    terms: { on_track: ['按期推进', 'On track'], delayed: ['滞后', 'Delayed'], completed: ['已完成', 'Completed'] },
  },
  consultation_kind: {
    description: 'Kind of a joint consultation',
    terms: { regular: ['定期会商', 'Regular consultation'], ad_hoc: ['临时会商', 'Ad-hoc consultation'], case: ['个案会商', 'Case consultation'] },
  },
  consultation_status: {
    description: 'Status of a consultation',
    terms: { scheduled: ['待召开', 'Scheduled'], held: ['已召开', 'Held'] },
  },
  attendance_status: {
    description: 'An invited agency’s answer',
    terms: { invited: ['已邀请', 'Invited'], confirmed: ['确认参会', 'Confirmed'], declined: ['不参会', 'Declined'] },
  },
  decision_status: {
    description: 'Status of a consultation decision (议定事项)',
    terms: { open: ['办理中', 'Open'], done: ['已办结', 'Done'] },
  },
  agenda_link_kind: {
    description: 'What an agenda item points at',
    terms: {
      case: ['案件', 'Case'],
      complaint: ['投诉', 'Complaint'],
      rectification_task: ['整改任务', 'Rectification task'],
      air_alert: ['重污染天气预警', 'Heavy-pollution alert'],
      joint_operation: ['联合执法行动', 'Joint operation'],
    },
  },
  stat_subject: {
    description: 'What GET /v1/stats and the reports count',
    terms: {
      complaints: ['信访举报', 'Complaints'],
      cases: ['执法案件', 'Cases'],
      filings: ['互相备案', 'Cross-filings'],
      assignments: ['任务派单', 'Assignments'],
      rectification: ['整改任务', 'Rectification tasks'],
    },
  },
  stat_dimension: {
    description: 'What figures are grouped by (month and week in China time)',
    terms: {
      side: ['兵地', 'Side'],
      agency: ['执法机构', 'Agency'],
      team: ['执法队伍', 'Team'],
      category: ['污染类别', 'Category'],
      channel: ['举报渠道', 'Channel'],
      month: ['月份', 'Month'],
      week: ['周', 'Week'],
    },
  },
  report_kind: {
    description: 'Kind of supervision report',
    terms: { weekly_dispatch: ['周调度', 'Weekly dispatch'], monthly_bulletin: ['月通报', 'Monthly bulletin'] },
  },
  report_scope: {
    description: 'Whom a report covers',
    terms: { agency: ['本机构', 'One agency'], sides: ['兵地对照', 'Region and corps side by side'] },
  },
} satisfies Record<string, VocabularyList>;

export type VocabularyName = keyof typeof VOCABULARY;

/** The label of a code in a language; an unknown code is its own label (never an error on a page). */
export function labelOf(list: VocabularyName, code: string, lang: Language): string {
  const t = (VOCABULARY[list].terms as Record<string, readonly [string, string]>)[code];
  return t ? t[lang === 'zh-CN' ? 0 : 1] : code;
}

/**
 * The language a person asked for in Accept-Language (RFC 9110 §12.5.4, q-values honoured): zh-CN
 * unless English is preferred over Chinese. Any `zh*` counts as Chinese.
 */
export function preferredLanguage(header: string | undefined): Language {
  if (!header) return 'zh-CN';
  let best: { lang: Language; q: number } | undefined;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const lang: Language | undefined = tag.startsWith('zh') ? 'zh-CN' : tag.startsWith('en') ? 'en' : undefined;
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'zh-CN';
}
