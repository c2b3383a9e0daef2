// Texts of the declaration form's prefill (prefill.js), in both languages. They join the resident page's dictionary
// (i18n.js); keys start with `prefill` so they never shadow another text.

import { addTexts } from './i18n.js';

addTexts({
    zh: {
        prefillSummary: '已根据已有信息预先填写，请逐项核对后提交。体温和症状请按今天的实际情况填写。',
        prefillFromLastDeclaration: '来自上次申报（{date}）',
        prefillFromRegister: '来自人口库：{source}',
        prefillFromLab: '来自检测机构：{lab}（{source}）',
        prefillFromAccount: '来自本账号',
    },
    en: {
        prefillSummary: 'Filled in from what is already known: check each answer before you submit. Enter today’s temperature and symptoms yourself.',
        prefillFromLastDeclaration: 'From your last declaration ({date})',
        prefillFromRegister: 'From the population register: {source}',
        prefillFromLab: 'From the testing lab: {lab} ({source})',
        prefillFromAccount: 'From this account',
    },
});
