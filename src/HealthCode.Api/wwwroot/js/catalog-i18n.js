// Texts of the sharing catalogue page (catalog.html), in both languages. They join the resident page's dictionary
// (i18n.js), so the language choice is one setting for the whole site. Keys start with `cat` so they never shadow
// a resident or scanner text.

import { addTexts } from './i18n.js';

addTexts({
    zh: {
        catPageTitle: '政务数据共享目录 · 健康码',
        catAppTitle: '政务数据共享目录',
        catHome: '返回健康码',
        catIntroTitle: '健康码用了哪些政务数据',
        catIntro: '本目录向社会公布健康码服务使用的每一项政务数据：由哪个部门提供、依据什么规定、用于什么目的、怎样共享、多久更新一次、最近一次什么时候更新、保存多久。',
        catIntroDuty: '谁提供、谁负责：每项数据由其提供部门对数据的准确和及时负责。超过更新周期仍未更新的数据，标为“延迟”。',
        catLoading: '正在加载目录…',
        catEmpty: '目录中还没有数据项。',
        catSummary: '共 {n} 项数据，{late} 项延迟更新。',
        catSummaryNoneLate: '共 {n} 项数据，全部按时更新。',
        catAsOf: '数据截至 {time}',
        catJson: '以 JSON 格式获取本目录',
        catalogFooter: '本目录向社会公开，无需登录。',

        catBadgeLate: '延迟',
        catBadgeOnTime: '按时',
        catBadgeNotShared: '不予共享',
        catLateNoBatch: '尚未收到数据：应自 {time} 起提供。',
        catLateSince: '已超过更新周期：应于 {time} 前更新。',

        catCode: '目录编码',
        catProvider: '提供部门',
        catKind: '数据类别',
        catSharing: '共享类型',
        catMethod: '共享方式',
        catCycle: '更新周期',
        catLastBatch: '最近更新',
        catRows: '数据条数',
        catRetention: '保存期限',
        catPublished: '发布日期',
        catLegalBasis: '共享依据',
        catPurpose: '使用目的',
        catItems: '数据项（{n} 项）',

        catNoBatch: '尚无',
        catRowsValue: '{n} 条',
        catRetentionDays: '{n} 天',
        catAgo: '{time}（{ago}）',
        catProviderUnknown: '{code}（未登记的部门）',
        catProviderValue: '{name}（{code}）',
        catConditions: '{type}：{conditions}',

        kind_population: '人口基础信息',
        kind_risk_areas: '风险地区',
        kind_cases: '病例信息',
        kind_close_contacts: '密切接触者',
        kind_tests: '核酸检测结果',
        kind_travel: '出行信息',

        sharing_unconditional: '无条件共享',
        sharing_conditional: '有条件共享',
        sharing_none: '不予共享',
        method_batch: '批量交换（部门签名）',

        every1_week: '每周',
        every1_day: '每天',
        every1_hour: '每小时',
        every1_minute: '每分钟',
        every1_second: '每秒',
        everyN_week: '每 {n} 周',
        everyN_day: '每 {n} 天',
        everyN_hour: '每 {n} 小时',
        everyN_minute: '每 {n} 分钟',
        everyN_second: '每 {n} 秒',
    },
    en: {
        catPageTitle: 'Data sharing catalogue · Health Code',
        catAppTitle: 'Data sharing catalogue',
        catHome: 'Back to the health code',
        catIntroTitle: 'What government data the health code uses',
        catIntro: 'This catalogue publishes every government dataset the health-code service uses: which department provides it, under what rules, for what purpose, how it is shared, how often it is updated, when it was last updated, and how long it is kept.',
        catIntroDuty: 'Whoever provides the data answers for it: each dataset\'s department is responsible for keeping it correct and on time. Data not updated within its update cycle is marked “Late”.',
        catLoading: 'Loading the catalogue…',
        catEmpty: 'The catalogue has no entries yet.',
        catSummary: '{n} datasets, {late} of them late.',
        catSummaryNoneLate: '{n} datasets, all up to date.',
        catAsOf: 'As of {time}',
        catJson: 'Get this catalogue as JSON',
        catalogFooter: 'This catalogue is public; no login is needed.',

        catBadgeLate: 'Late',
        catBadgeOnTime: 'On time',
        catBadgeNotShared: 'Not shared',
        catLateNoBatch: 'No data received yet: due since {time}.',
        catLateSince: 'Past its update cycle: due by {time}.',

        catCode: 'Catalogue code',
        catProvider: 'Provided by',
        catKind: 'Kind of data',
        catSharing: 'Sharing',
        catMethod: 'Method',
        catCycle: 'Updated',
        catLastBatch: 'Last update',
        catRows: 'Rows',
        catRetention: 'Kept for',
        catPublished: 'Published',
        catLegalBasis: 'Legal basis',
        catPurpose: 'Purpose',
        catItems: 'Data items ({n})',

        catNoBatch: 'None yet',
        catRowsValue: '{n} rows',
        catRetentionDays: '{n} days',
        catAgo: '{time} ({ago})',
        catProviderUnknown: '{code} (unregistered department)',
        catProviderValue: '{name} ({code})',
        catConditions: '{type}: {conditions}',

        kind_population: 'Population register',
        kind_risk_areas: 'Risk areas',
        kind_cases: 'Cases',
        kind_close_contacts: 'Close contacts',
        kind_tests: 'Test results',
        kind_travel: 'Travel records',

        sharing_unconditional: 'Shared without conditions',
        sharing_conditional: 'Shared on conditions',
        sharing_none: 'Not shared',
        method_batch: 'Batches signed by the department',

        every1_week: 'Every week',
        every1_day: 'Every day',
        every1_hour: 'Every hour',
        every1_minute: 'Every minute',
        every1_second: 'Every second',
        everyN_week: 'Every {n} weeks',
        everyN_day: 'Every {n} days',
        everyN_hour: 'Every {n} hours',
        everyN_minute: 'Every {n} minutes',
        everyN_second: 'Every {n} seconds',
    },
});

/** Units of an update cycle, largest first, in seconds. */
const UNITS = [['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

/**
 * The ISO 8601 duration the service accepts for an update cycle (P1D, PT6H, P1DT12H, P2W) in seconds; null for
 * anything else (then the page shows the text as it is).
 */
export function cycleSeconds(iso) {
    const weeks = /^P(\d+)W$/.exec(iso ?? '');
    if (weeks) {
        return Number(weeks[1]) * 604800;
    }
    const parts = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso ?? '');
    if (!parts || iso === 'P' || iso.endsWith('T')) {
        return null;
    }
    const [, d = 0, h = 0, m = 0, s = 0] = parts;
    return Number(d) * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** The text key and parameters of an update cycle in words: `every1_day` (every day), `everyN_hour` {n: 6}. */
export function cycleWords(iso) {
    const seconds = cycleSeconds(iso);
    if (!seconds) {
        return null;
    }
    const [unit, size] = UNITS.find(([, length]) => seconds % length === 0) ?? UNITS[UNITS.length - 1];
    const n = seconds / size;
    return n === 1 ? { key: `every1_${unit}` } : { key: `everyN_${unit}`, params: { n } };
}
