// Texts of the resident page in both languages. Simplified Chinese is the default (most residents,
// many of them elderly); English is one tap away. Keys are used by `data-i18n*` attributes in
// index.html and by app.js for messages built at run time.

const STORAGE_KEY = 'hc.lang';

export const LANGUAGES = /** @type {const} */ (['zh', 'en']);

const texts = {
    zh: {
        pageTitle: '健康码',
        appTitle: '健康码',
        switchTo: 'English',
        switchToLabel: 'Switch to English',
        logout: '退出登录',
        catalogLink: '政务数据共享目录：健康码用了哪些数据',

        loginTitle: '登录',
        loginIntro: '输入手机号，获取短信验证码后登录。',
        phone: '手机号',
        phoneHint: '11 位手机号码',
        getCode: '获取验证码',
        resendIn: '{s} 秒后可重新获取',
        otpSent: '验证码已发送，请查看短信。',
        devCode: '开发模式验证码：{code}',
        code: '验证码',
        codeHint: '6 位数字',
        login: '登录',
        loggingIn: '正在登录…',
        sending: '正在发送…',
        phoneRequired: '请先输入 11 位手机号。',
        codeRequired: '请输入短信验证码。',

        declareTitle: '健康申报',
        declareIntro: '请如实填写。带 * 的为必填项。',
        name: '姓名',
        idNumber: '身份证号',
        idNumberHint: '18 位居民身份证号码，末位可以是 X',
        declPhone: '手机号',
        region: '当前所在地区',
        regionHint: '6 位行政区划代码，例如郑州市 410100',
        temperature: '体温（℃）',
        temperatureHint: '例如 36.5',
        symptomsLegend: '近期症状（可多选，没有则不选）',
        sym_fever: '发热',
        sym_cough: '咳嗽',
        sym_fatigue: '乏力',
        sym_sore_throat: '咽痛',
        sym_loss_of_taste_smell: '嗅觉或味觉减退',
        sym_shortness_of_breath: '呼吸困难',
        sym_diarrhea: '腹泻',
        travelLegend: '近 14 天行程',
        travelHint: '没有离开本地可不填。',
        travelRegion: '地区代码',
        travelFrom: '到达日期',
        travelTo: '离开日期',
        travelRow: '行程 {n}',
        addTravel: '＋ 添加行程',
        removeTravel: '删除行程 {n}',
        remove: '删除',
        contactLegend: '接触史（有则勾选）',
        contact_confirmedCase: '接触过确诊病例',
        contact_suspectedCase: '接触过疑似病例',
        contact_closeContactNotice: '收到密切接触者通知',
        lastTestLegend: '最近一次核酸检测（可选）',
        test_none: '未检测',
        test_negative: '阴性',
        test_positive: '阳性',
        testAt: '检测时间',
        submit: '提交申报',
        submitting: '正在提交…',
        cancel: '返回我的健康码',
        required: '*',
        summaryTitle: '有 {n} 处需要修改，请改正后重新提交：',

        codeTitle: '我的健康码',
        green: '绿码',
        yellow: '黄码',
        red: '红码',
        greenMeaning: '可正常通行',
        yellowMeaning: '请居家观察，按要求检测',
        redMeaning: '请立即联系社区，配合隔离',
        qrAlt: '{color}二维码，出示给检查人员扫描',
        reasonsTitle: '赋码原因',
        noReasons: '未发现风险。',
        greenAfter: '转绿日期：{date}',
        updatedAt: '状态更新于 {time}',
        refreshIn: '{s} 秒后自动刷新',
        refreshing: '正在刷新…',
        refreshedAt: '刷新于 {time}',
        qrExpired: '二维码已过期，请点击“立即刷新”。',
        refreshNow: '立即刷新',
        declareAgain: '重新申报',
        peopleLabel: '选择要出示的健康码',
        reasonSource: '数据来源：{name}（批次 {batch}）',
        self: '本人',
        codeOfSelf: '本人 · {name} · 身份证尾号 {tail}',
        codeOfDependant: '家人 · {name} · 身份证尾号 {tail}',
        declareForAgain: '为 {name} 重新申报',
        declareFor: '为家人 {name}（身份证尾号 {tail}）申报',
        dependantNoCode: '{name} 还没有健康码，请先为其申报。',
        printCode: '打印此健康码（纸质码）',
        familyOpen: '家庭成员（代申报）',
        familyTitle: '家庭成员',
        familyIntro: '为没有手机的家人（老人、儿童）代为申报和出示健康码，最多 5 位。每人一码：已在别的手机上的家人，需先从那部手机移除。',
        familyEmpty: '还没有添加家庭成员。',
        familyAdd: '添加家庭成员',
        familyAddButton: '添加',
        backToCode: '返回健康码',
        personWithTail: '{name} · 身份证尾号 {tail}',
        familyState: '{color} · {time} 更新',
        familyNoCode: '尚未申报',
        familyShow: '出示健康码',
        familyDeclare: '为其申报',
        familyRemove: '移除',
        familyRemoveLabel: '从本手机移除 {name}',
        familyRemoveConfirm: '确定从本手机移除 {name} 吗？其健康码和申报记录仍然保留。',
        familyAdded: '已添加 {name}，请为其申报。',
        familyRemoved: '已移除 {name}。',
        nameRequired: '请填写姓名（与身份证一致）。',
        idNumberRequired: '请填写 18 位身份证号码。',
        errDependantsLimit: '最多添加 5 位家庭成员，请先移除不再需要的家人。',
        errHolderRequired: '请先为本人申报，再添加家庭成员。',
        errPrintBlocked: '浏览器阻止了打印窗口，请允许本网站弹出窗口后再试。',
        errBoundElsewhere: '该身份证号的健康码已绑定在手机 {phone} 上。一人一码：请用原手机收到的验证码迁移到本机，或到健康码服务窗口办理。',
        submitted: '申报已提交。',
        loggedOut: '您已退出登录。',
        noDeclaration: '您还没有申报，请先填写健康申报。',

        errNetwork: '网络异常，请检查网络后稍后重试。',
        errSession: '登录已过期，请重新登录。',
        errRateLimited: '操作太频繁，请稍等一分钟再试。',
        errServer: '服务暂时不可用，请稍后重试。如多次失败，请拨打 12345 咨询。',
        errUnknown: '出现问题（{status}），请稍后重试。',
        errQr: '二维码刷新失败，将自动重试。',
        errLoginFailed: '验证码不正确或已过期，请重新获取验证码。',
        errInvalidRequest: '填写有误，请按提示修改后重试。',
    },
    en: {
        pageTitle: 'Health Code',
        appTitle: 'Health Code',
        switchTo: '中文',
        switchToLabel: '切换到中文',
        logout: 'Log out',
        catalogLink: 'Data sharing catalogue: what data the health code uses',

        loginTitle: 'Log in',
        loginIntro: 'Enter your phone number, get a code by SMS, then log in.',
        phone: 'Phone number',
        phoneHint: '11-digit mobile number',
        getCode: 'Get code',
        resendIn: 'Resend in {s} s',
        otpSent: 'Code sent. Please check your SMS.',
        devCode: 'Development code: {code}',
        code: 'Verification code',
        codeHint: '6 digits',
        login: 'Log in',
        loggingIn: 'Logging in…',
        sending: 'Sending…',
        phoneRequired: 'Please enter your 11-digit phone number first.',
        codeRequired: 'Please enter the code from the SMS.',

        declareTitle: 'Health declaration',
        declareIntro: 'Please answer truthfully. Fields marked * are required.',
        name: 'Full name',
        idNumber: 'ID card number',
        idNumberHint: '18-character resident ID; the last one may be X',
        declPhone: 'Phone number',
        region: 'Current region',
        regionHint: '6-digit region code, e.g. 410100 for Zhengzhou',
        temperature: 'Temperature (°C)',
        temperatureHint: 'e.g. 36.5',
        symptomsLegend: 'Recent symptoms (tick all that apply, or none)',
        sym_fever: 'Fever',
        sym_cough: 'Cough',
        sym_fatigue: 'Fatigue',
        sym_sore_throat: 'Sore throat',
        sym_loss_of_taste_smell: 'Loss of taste or smell',
        sym_shortness_of_breath: 'Shortness of breath',
        sym_diarrhea: 'Diarrhoea',
        travelLegend: 'Travel in the last 14 days',
        travelHint: 'Leave empty if you stayed here.',
        travelRegion: 'Region code',
        travelFrom: 'Arrived',
        travelTo: 'Left',
        travelRow: 'Trip {n}',
        addTravel: '+ Add a trip',
        removeTravel: 'Remove trip {n}',
        remove: 'Remove',
        contactLegend: 'Contacts (tick if any)',
        contact_confirmedCase: 'Contact with a confirmed case',
        contact_suspectedCase: 'Contact with a suspected case',
        contact_closeContactNotice: 'Received a close-contact notice',
        lastTestLegend: 'Last nucleic-acid test (optional)',
        test_none: 'No test',
        test_negative: 'Negative',
        test_positive: 'Positive',
        testAt: 'Test date and time',
        submit: 'Submit declaration',
        submitting: 'Submitting…',
        cancel: 'Back to my code',
        required: '*',
        summaryTitle: '{n} answer(s) need changing. Please correct them and submit again:',

        codeTitle: 'My health code',
        green: 'Green code',
        yellow: 'Yellow code',
        red: 'Red code',
        greenMeaning: 'You may pass',
        yellowMeaning: 'Stay at home and get tested as required',
        redMeaning: 'Contact your community now and follow quarantine',
        qrAlt: '{color} QR code, show it to staff to scan',
        reasonsTitle: 'Why this colour',
        noReasons: 'No risk found.',
        greenAfter: 'Turns green on {date}',
        updatedAt: 'Status updated {time}',
        refreshIn: 'Refreshes automatically in {s} s',
        refreshing: 'Refreshing…',
        refreshedAt: 'Refreshed at {time}',
        qrExpired: 'This QR code has expired. Tap “Refresh now”.',
        refreshNow: 'Refresh now',
        declareAgain: 'Declare again',
        peopleLabel: 'Choose whose code to show',
        reasonSource: 'Source: {name} (batch {batch})',
        self: 'Me',
        codeOfSelf: 'Me · {name} · ID ending {tail}',
        codeOfDependant: 'Family · {name} · ID ending {tail}',
        declareForAgain: 'Declare again for {name}',
        declareFor: 'Declaring for your family member {name} (ID ending {tail})',
        dependantNoCode: '{name} has no health code yet. Please declare for them first.',
        printCode: 'Print this code (paper code)',
        familyOpen: 'Family members (declare for others)',
        familyTitle: 'Family members',
        familyIntro: 'Declare for and show the codes of family members without a phone (elderly people, children), up to 5. One person, one code: a family member held on another phone must be removed there first.',
        familyEmpty: 'No family members yet.',
        familyAdd: 'Add a family member',
        familyAddButton: 'Add',
        backToCode: 'Back to the code',
        personWithTail: '{name} · ID ending {tail}',
        familyState: '{color} · updated {time}',
        familyNoCode: 'Not declared yet',
        familyShow: 'Show code',
        familyDeclare: 'Declare for them',
        familyRemove: 'Remove',
        familyRemoveLabel: 'Remove {name} from this phone',
        familyRemoveConfirm: 'Remove {name} from this phone? Their code and declarations are kept.',
        familyAdded: '{name} added. Please declare for them.',
        familyRemoved: '{name} removed.',
        nameRequired: 'Enter the name as on the ID card.',
        idNumberRequired: 'Enter the 18-character ID number.',
        errDependantsLimit: 'At most 5 family members. Remove one who no longer needs this phone first.',
        errHolderRequired: 'Declare for yourself first, then add family members.',
        errPrintBlocked: 'The browser blocked the print window. Allow pop-ups for this site and try again.',
        errBoundElsewhere: 'The code of this ID number is held by the phone {phone}. One person, one code: move it here with a code sent to that phone, or ask the health-code service desk.',
        submitted: 'Declaration submitted.',
        loggedOut: 'You have logged out.',
        noDeclaration: 'You have not declared yet. Please fill in the declaration first.',

        errNetwork: 'Network problem. Please check your connection and try again later.',
        errSession: 'Your session has expired. Please log in again.',
        errRateLimited: 'Too many attempts. Please wait a minute and try again.',
        errServer: 'The service is unavailable right now. Please try again later, or call 12345 if it keeps failing.',
        errUnknown: 'Something went wrong ({status}). Please try again later.',
        errQr: 'Could not refresh the QR code; retrying automatically.',
        errLoginFailed: 'The code is wrong or has expired. Please get a new code.',
        errInvalidRequest: 'Some answers are not valid. Please correct them and try again.',
    },
};

/**
 * Adds another page's texts (`{zh: {...}, en: {...}}`, e.g. the scanner's) to both languages, so
 * that page shares the language choice, `t`, `translate` and `setText`. A key the resident page
 * already defines keeps its resident text.
 */
export function addTexts(more) {
    for (const lang of LANGUAGES) {
        texts[lang] = { ...more[lang], ...texts[lang] };
    }
}

let current = readStoredLanguage();

function readStoredLanguage() {
    try {
        const stored = localStorage.getItem(STORAGE_KEY);
        return stored === 'en' ? 'en' : 'zh';
    } catch {
        // Storage can be disabled (private mode on some phones): fall back to the default.
        return 'zh';
    }
}

/** The current language, `zh` or `en`. */
export function language() {
    return current;
}

/** The BCP 47 tag for `<html lang>` and Intl formatting. */
export function locale() {
    return current === 'en' ? 'en' : 'zh-CN';
}

/** A date and time in the page's language (medium date, short time); the value as text when it is no date. */
export function formatDateTime(value) {
    const date = new Date(value);
    return Number.isNaN(date.getTime())
        ? String(value ?? '')
        : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A count in the page's language; a missing one is 0. */
export function formatNumber(n) {
    return new Intl.NumberFormat(locale()).format(n ?? 0);
}

/** The text of a `{zhCn, en}` pair from the service in the page's language, the other language when it lacks it. */
export function localized(pair) {
    return (language() === 'en' ? pair?.en : pair?.zhCn) ?? pair?.zhCn ?? pair?.en;
}

export function setLanguage(lang) {
    current = lang === 'en' ? 'en' : 'zh';
    try {
        localStorage.setItem(STORAGE_KEY, current);
    } catch {
        // Not remembered, but the page still switches.
    }
}

/** Text for `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
    const text = texts[current][key] ?? texts.zh[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/**
 * Translates every element under `root` that carries `data-i18n` (text), `data-i18n-placeholder`,
 * `data-i18n-aria-label` or `data-i18n-alt`; parameters come from `data-i18n-params` (JSON).
 */
export function translate(root = document) {
    const params = (el) => (el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : {});
    for (const el of root.querySelectorAll('[data-i18n]')) {
        el.textContent = t(el.dataset.i18n, params(el));
    }
    for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
        el.placeholder = t(el.dataset.i18nPlaceholder, params(el));
    }
    for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
        el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel, params(el)));
    }
    for (const el of root.querySelectorAll('[data-i18n-alt]')) {
        el.alt = t(el.dataset.i18nAlt, params(el));
    }
}

/** Sets the text of `el` to `key` and remembers the key, so a language switch re-translates it. */
export function setText(el, key, params) {
    if (key === null) {
        delete el.dataset.i18n;
        delete el.dataset.i18nParams;
        el.textContent = '';
        return;
    }
    el.dataset.i18n = key;
    if (params) {
        el.dataset.i18nParams = JSON.stringify(params);
    } else {
        delete el.dataset.i18nParams;
    }
    el.textContent = t(key, params);
}

// The API explains invalid fields in English (problem details `errors[].message`). Residents
// reading Chinese get these texts instead, chosen by the stable `code` (and field, for `required`);
// an unknown code falls back to the server's own message.
const zhFieldMessages = {
    required: {
        name: '请填写姓名（与身份证一致）。',
        idNumber: '请填写 18 位身份证号码。',
        phone: '请填写手机号。',
        region: '请填写 6 位地区代码，例如 410100。',
        temperature: '请填写体温，例如 36.5。',
        'lastTest.result': '请选择检测结果：阴性或阳性。',
        'lastTest.at': '请填写采样时间。',
        '*': '此项必填，请填写。',
    },
    name_too_long: '姓名过长，请按身份证填写。',
    name_invalid_characters: '姓名含有无效字符，请按身份证填写。',
    id_number_invalid_format: '身份证号应为 18 位：前 17 位是数字，最后一位是数字或 X。',
    id_number_invalid_checksum: '身份证号校验位不正确，请对照身份证检查是否输错。',
    id_number_invalid_birth_date: '身份证号中的出生日期（第 7–14 位）不正确，请检查。',
    id_number_invalid_region: '身份证号前 6 位不是有效的地区代码，请检查。',
    phone_invalid: '请填写 11 位手机号码，以 13–19 开头，不加空格和 +86。',
    otp_format: '请填写短信中的 6 位数字验证码。',
    region_invalid_format: '地区代码是 6 位数字，例如 410100。',
    region_unknown: '没有这个地区代码，请检查后重新填写。',
    travel_too_many: '行程太多，请把同一地区的连续停留合并为一条。',
    date_range_invalid: '离开日期早于到达日期，请检查日期。',
    date_in_future: '日期不能晚于今天，请检查。',
    date_out_of_window: '只需填写最近 14 天内的行程；更早开始的停留，请把到达日期填为 14 天前。',
    symptom_unknown: '请从列表中选择症状。',
    symptom_duplicate: '同一症状只需选择一次。',
    temperature_out_of_range: '体温应在 34.0–42.0 ℃ 之间，请重新测量后填写。',
    test_result_invalid: '请选择检测结果：阴性或阳性。',
    identity_mismatch: {
        name: '姓名与本码的持码人不一致：本账号只能为本人和已添加的家庭成员申报。',
        idNumber: '身份证号与本码的持码人不一致：为家人申报请先在“家庭成员”中添加。',
        '*': '与本码的持码人不一致。',
    },
    identity_bound_elsewhere: '该身份证号的健康码已绑定在另一部手机上。',
    identity_is_dependant: '此人是您已添加的家庭成员，请在“家庭成员”中为其申报。',
    dependant_is_holder: '这是您本人的身份证号，无需添加。',
    wrong_type: '格式不正确，请重新填写。',
    invalid_utf8: '含有无法识别的字符，请重新填写。',
};

/** The message for one problem-details field error, in the current language. */
export function fieldMessage(error) {
    if (current === 'zh') {
        const known = zhFieldMessages[error?.code];
        if (typeof known === 'string') {
            return known;
        }
        if (known) {
            const field = String(error?.field ?? '').replace(/^travel\[\d+\]\./, 'travel.');
            return known[field] ?? known['*'];
        }
    }
    return error?.message || error?.code || '';
}
