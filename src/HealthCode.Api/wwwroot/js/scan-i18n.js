// Texts of the scanner page (checkpoint staff), in both languages. They join the resident page's
// dictionary (i18n.js), so the language choice is one setting for the whole site. Keys start with
// `scan`, `res`, `err`, `cam`, `lk` or `why_` so they never shadow a resident text.

import { addTexts } from './i18n.js';

addTexts({
    zh: {
        scanPageTitle: '健康码核验',
        scanAppTitle: '健康码核验',
        scanChange: '更换设置',
        scanLogout: '退出',
        scanLoggedOut: '已退出，令牌已从本设备清除。',
        scanTokenForgotten: '为安全起见，令牌在 30 分钟未核验（或超过一个班次）后已清除，请重新输入。',

        setupTitle: '核验设置',
        setupIntro: '粘贴管理员发放的工作人员令牌，并填写本检查点编号。令牌只保存在本页面：关闭页面、30 分钟未核验或退出后即清除。',
        setupToken: '工作人员令牌',
        setupTokenHint: '由管理员发放，可整段粘贴',
        setupCheckpoint: '检查点编号',
        setupCheckpointHint: '例如 metro-line1-gate3',
        setupSave: '开始核验',
        setupTokenRequired: '请粘贴工作人员令牌。',
        setupCheckpointRequired: '请填写检查点编号。',
        setupSaved: '设置已保存，可以开始扫码。',
        scanCheckpoint: '检查点：{id}',

        tabScan: '扫码核验',
        tabLookup: '身份证查询',

        resIdle: '请扫描健康码',
        resIdleHint: '对准摄像头，或用扫码枪扫描',
        resChecking: '正在核验…',
        resGreen: '绿码 通行',
        resYellow: '黄码',
        resRed: '红码 禁止通行',
        resInvalid: '无效码',
        resError: '无法核验',
        resGreenAction: '请核对姓名与身份证后放行',
        resYellowAction: '暂缓通行，按本检查点规定处置',
        resRedAction: '禁止通行，请引导至专人处置',
        resInvalidAction: '不能放行，请按下方提示处理',
        resName: '姓名',
        resTail: '身份证后四位',
        resIssuer: '签发地',
        resPartner: '{name}（互认省份）',
        resExpires: '有效至 {time}',
        resLookup: '身份证查询结果',
        resDismiss: '轻触关闭，可继续扫码',

        why_malformed: '无法识别此二维码，请让对方打开健康码重新出示。',
        why_unsupported_format: '不是本系统支持的健康码，请让对方出示健康码，或改用身份证查询。',
        why_unknown_issuer: '签发地区尚未互认，无法核验。请改用身份证查询，或按本检查点规定处置。',
        why_unknown_key: '签发密钥未知（可能尚未同步）。请稍后重试，或改用身份证查询。',
        why_key_revoked: '签发密钥已被吊销，此码无效。禁止通行，并报告值班负责人。',
        why_bad_signature: '签名校验失败，疑似伪造。禁止通行，并报告值班负责人。',
        why_algorithm_not_allowed: '签名方式不被允许，疑似伪造。禁止通行，并报告值班负责人。',
        why_wrong_type: '这不是健康码。请让对方打开健康码出示。',
        why_expired: '码已过期，请让对方刷新健康码。',
        why_not_yet_valid: '码尚未生效，请让对方检查手机时间后刷新健康码。',
        why_code_revoked: '此码已作废（健康状态已变化），请让对方刷新健康码。',
        why_trust_list_stale: '暂时无法确认签发地区的密钥，请稍后重试，或改用身份证查询。',
        why_unknown: '无法核验此码（{code}），请让对方刷新健康码，或改用身份证查询。',

        errStaffToken: '令牌无效或已过期，请向管理员重新申请',
        errCheckpointMismatch: '此令牌不属于该检查点，请核对检查点编号（以管理员发放时为准）。',
        errScanNetwork: '网络异常，未能核验，请重新扫码。',
        errScanServer: '核验服务暂时不可用，请稍后重试或改用身份证查询。',
        errScanUnknown: '核验失败（{status}），请重新扫码。',

        camStart: '开启摄像头',
        camStop: '关闭摄像头',
        camStarting: '正在开启摄像头…',
        camOn: '摄像头已开启，请对准健康码',
        camDenied: '摄像头权限被拒绝。请在浏览器设置中允许使用摄像头；扫码枪仍可使用。',
        camNone: '未找到可用的摄像头。请使用扫码枪。',
        camInsecure: '此地址不能使用摄像头（需要 HTTPS）。请使用扫码枪，或联系管理员。',
        camBusy: '摄像头被其他应用占用，请关闭其他应用后重试；扫码枪仍可使用。',
        camFailed: '摄像头无法开启（{name}）；扫码枪仍可使用。',
        camNoDecoder: '扫码组件未加载，请刷新页面；扫码枪仍可使用。',
        camVideoLabel: '摄像头画面',

        wedgeLabel: '扫码枪输入',
        wedgeHint: '扫码枪扫描后自动核验，无需点击',

        lkTitle: '身份证查询',
        lkIntro: '为没有手机的居民查询健康码颜色。每次查询都会记录。',
        lkId: '身份证号',
        lkName: '姓名',
        lkSubmit: '查询',
        lkSearching: '正在查询…',
        lkNotFound: '未找到该居民的申报记录，请核对身份证号和姓名；确无记录的，请引导其现场申报。',
        lkRateLimited: '查询过于频繁，请稍等一分钟再试。',
        lkInvalid: '填写有误，请按提示修改。',
        lkNetwork: '网络异常，未能查询，请重试。',
        lkServer: '查询服务暂时不可用，请稍后重试。',
        lkUnknown: '查询失败（{status}），请重试。',
        lkRequiredId: '请填写 18 位身份证号码。',
        lkRequiredName: '请填写姓名（与身份证一致）。',
    },
    en: {
        scanPageTitle: 'Health code check',
        scanAppTitle: 'Health code check',
        scanChange: 'Change',
        scanLogout: 'Log out',
        scanLoggedOut: 'Logged out: the token is gone from this device.',
        scanTokenForgotten: 'For safety the token was forgotten after 30 minutes without a scan (or after a shift). Please enter it again.',

        setupTitle: 'Checkpoint set-up',
        setupIntro: 'Paste the staff token your administrator gave you and enter this checkpoint’s ID. The token is kept in this tab only: it is forgotten when the tab closes, after 30 minutes without a scan, or when you log out.',
        setupToken: 'Staff token',
        setupTokenHint: 'From your administrator; paste it whole',
        setupCheckpoint: 'Checkpoint ID',
        setupCheckpointHint: 'e.g. metro-line1-gate3',
        setupSave: 'Start checking',
        setupTokenRequired: 'Please paste your staff token.',
        setupCheckpointRequired: 'Please enter the checkpoint ID.',
        setupSaved: 'Saved. You can start scanning.',
        scanCheckpoint: 'Checkpoint: {id}',

        tabScan: 'Scan',
        tabLookup: 'ID card lookup',

        resIdle: 'Scan a health code',
        resIdleHint: 'Hold it to the camera, or use the scan gun',
        resChecking: 'Checking…',
        resGreen: 'Green · Pass',
        resYellow: 'Yellow',
        resRed: 'Red · Stop',
        resInvalid: 'Invalid code',
        resError: 'Not checked',
        resGreenAction: 'Compare the name with the ID card, then let them pass',
        resYellowAction: 'Hold for now; follow this checkpoint’s rules',
        resRedAction: 'Do not let them pass; call the officer in charge',
        resInvalidAction: 'Do not let them pass; see below',
        resName: 'Name',
        resTail: 'ID ends with',
        resIssuer: 'Issued by',
        resPartner: '{name} (partner province)',
        resExpires: 'Valid until {time}',
        resLookup: 'ID card lookup result',
        resDismiss: 'Tap to close; scanning goes on',

        why_malformed: 'Not a readable health code. Ask the person to open their health code and show it again.',
        why_unsupported_format: 'Not a health code this system reads. Ask for the health code, or use the ID card lookup.',
        why_unknown_issuer: 'The issuing province is not recognised here. Use the ID card lookup, or follow this checkpoint’s rules.',
        why_unknown_key: 'The signing key is unknown (perhaps not synchronised yet). Try again shortly, or use the ID card lookup.',
        why_key_revoked: 'The signing key has been revoked: this code is void. Do not let them pass; tell the officer in charge.',
        why_bad_signature: 'The signature does not match: possibly forged. Do not let them pass; tell the officer in charge.',
        why_algorithm_not_allowed: 'The signature method is not allowed: possibly forged. Do not let them pass; tell the officer in charge.',
        why_wrong_type: 'This is not a health code. Ask the person to open their health code.',
        why_expired: 'The code has expired. Ask the person to refresh their health code.',
        why_not_yet_valid: 'The code is not valid yet. Ask the person to check their phone’s clock and refresh the code.',
        why_code_revoked: 'This code is out of date (the health status changed). Ask the person to refresh their health code.',
        why_trust_list_stale: 'The issuing province’s keys cannot be confirmed right now. Try again shortly, or use the ID card lookup.',
        why_unknown: 'This code cannot be checked ({code}). Ask the person to refresh it, or use the ID card lookup.',

        errStaffToken: 'Your staff token is invalid or has expired. Please ask your administrator for a new one.',
        errCheckpointMismatch: 'This token is not for this checkpoint. Check the checkpoint ID your administrator gave with it.',
        errScanNetwork: 'Network problem: the code was not checked. Please scan again.',
        errScanServer: 'The checking service is unavailable. Try again shortly, or use the ID card lookup.',
        errScanUnknown: 'The check failed ({status}). Please scan again.',

        camStart: 'Start camera',
        camStop: 'Stop camera',
        camStarting: 'Starting the camera…',
        camOn: 'Camera on: hold the health code in view',
        camDenied: 'Camera permission was denied. Allow the camera in the browser settings; the scan gun still works.',
        camNone: 'No camera found. Please use the scan gun.',
        camInsecure: 'The camera cannot be used at this address (HTTPS needed). Use the scan gun, or ask your administrator.',
        camBusy: 'Another app is using the camera. Close it and try again; the scan gun still works.',
        camFailed: 'The camera could not start ({name}); the scan gun still works.',
        camNoDecoder: 'The QR decoder did not load. Reload the page; the scan gun still works.',
        camVideoLabel: 'Camera view',

        wedgeLabel: 'Scan gun input',
        wedgeHint: 'A scanned code is checked at once; no need to click',

        lkTitle: 'ID card lookup',
        lkIntro: 'The code colour of a resident without a phone. Every lookup is recorded.',
        lkId: 'ID card number',
        lkName: 'Full name',
        lkSubmit: 'Look up',
        lkSearching: 'Looking up…',
        lkNotFound: 'No declaration found. Check the ID number and name; if there is none, help the person declare here.',
        lkRateLimited: 'Too many lookups. Please wait a minute and try again.',
        lkInvalid: 'Some answers are not valid. Please correct them.',
        lkNetwork: 'Network problem: nothing was looked up. Please try again.',
        lkServer: 'The lookup service is unavailable. Please try again shortly.',
        lkUnknown: 'The lookup failed ({status}). Please try again.',
        lkRequiredId: 'Please enter the 18-character ID number.',
        lkRequiredName: 'Please enter the name as on the ID card.',
    },
});

/** Every `error.code` of a verdict (DESIGN §5); each has a `why_<code>` text above. */
export const VERDICT_ERRORS = Object.freeze([
    'malformed', 'unsupported_format', 'unknown_issuer', 'unknown_key', 'key_revoked', 'bad_signature',
    'algorithm_not_allowed', 'wrong_type', 'expired', 'not_yet_valid', 'code_revoked', 'trust_list_stale',
]);

/**
 * Errors that point at a forged or compromised code: shown in red ("stop and report"), where the
 * others (stale, expired, unreadable) are grey ("ask them to refresh, or look them up").
 */
export const FORGERY_ERRORS = Object.freeze(['key_revoked', 'bad_signature', 'algorithm_not_allowed']);

/** The text key and parameters explaining a verdict error, in the current language. */
export function reasonKey(code) {
    return VERDICT_ERRORS.includes(code)
        ? { key: `why_${code}`, params: undefined }
        : { key: 'why_unknown', params: { code: String(code ?? '?') } };
}
