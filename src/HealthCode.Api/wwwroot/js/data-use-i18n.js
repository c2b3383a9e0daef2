// Texts of the resident page's "who used my data" section (data-use.js), in both languages. They join the page's
// dictionary (i18n.js), so the language choice is one setting for the whole site. Keys start with `du` so they never
// shadow another text.

import { addTexts } from './i18n.js';

addTexts({
    zh: {
        duOpen: '谁使用了我的数据',
        duTitle: '谁使用了我的数据',
        duIntro: '每一次使用您的数据都记录在这里，最新的在最前：用于什么、用了哪个部门的哪批数据、谁在使用。记录不可篡改，审计人员可随时核验。',
        duForSelf: '本人 {name} 的数据使用记录',
        duForFamily: '家人 {name} 的数据使用记录',
        duForAll: '全家（本人和家庭成员）的数据使用记录',
        duShowAll: '查看全家的记录',
        duShowOne: '只看当前这位的记录',
        duLoading: '正在加载…',
        duEmpty: '还没有使用记录。',
        duEnd: '已显示全部记录。',
        duMore: '查看更早的记录',
        duMoreLoaded: '已加载 {n} 条更早的记录。',
        duSource: '数据来源：{name}（批次 {batch}）',
        duSourceNoBatch: '数据来源：{name}',
        duNoSource: '仅查看了健康码状态，未使用部门共享数据',
        duActor: '使用者：{actor}',
        duAboutSelf: '关于：本人 {name}',
        duAboutFamily: '关于：家人 {name}（身份证尾号 {tail}）',
        du_scoring: '赋码：计算健康码颜色',
        du_identity: '身份核验：核对人口信息',
        du_prefill: '预填申报表',
        du_lookup: '检查点凭身份证查验',
        du_office_view: '社区（基层）防控查看',
        du_dispute: '纠错（异议）处理',
    },
    en: {
        duOpen: 'Who used my data',
        duTitle: 'Who used my data',
        duIntro: 'Every use of your data is listed here, newest first: what for, which department\'s data and batch, and who used it. The record cannot be altered unnoticed; auditors check it.',
        duForSelf: 'Uses of your own data ({name})',
        duForFamily: 'Uses of your family member {name}\'s data',
        duForAll: 'Uses of your whole family\'s data (you and your family members)',
        duShowAll: 'Show the whole family',
        duShowOne: 'Show only this person',
        duLoading: 'Loading…',
        duEmpty: 'No uses recorded yet.',
        duEnd: 'That is every use recorded.',
        duMore: 'Show older uses',
        duMoreLoaded: '{n} older uses loaded.',
        duSource: 'Data: {name} (batch {batch})',
        duSourceNoBatch: 'Data: {name}',
        duNoSource: 'Your code\'s status only, no department\'s data',
        duActor: 'Used by: {actor}',
        duAboutSelf: 'About: you ({name})',
        duAboutFamily: 'About: family member {name} (ID ending {tail})',
        du_scoring: 'Scoring: your code\'s colour',
        du_identity: 'Identity check against the population register',
        du_prefill: 'Declaration form filled in',
        du_lookup: 'ID-card lookup at a checkpoint',
        du_office_view: 'Viewed by a grassroots office',
        du_dispute: 'Dispute handling',
    },
});

/** The words of a purpose (DESIGN §10: scoring, identity, prefill, lookup, office_view, dispute); null for one this page does not know. */
export const purposeKey = (purpose) =>
    (['scoring', 'identity', 'prefill', 'lookup', 'office_view', 'dispute'].includes(purpose) ? `du_${purpose}` : null);
