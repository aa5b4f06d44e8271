//! 한국어 (Korean), in the formal 합니다체 of a service page.
use super::{Phrase, Words};
use crate::domain::{Refusal, Stage};

pub struct Ko;

impl Words for Ko {
    fn phrase(&self, phrase: Phrase) -> &'static str {
        phrase_text(phrase)
    }

    fn refusal(&self, refusal: &Refusal) -> String {
        refusal_text(refusal)
    }

    fn account_setup(&self, cloud_name: &str) -> String {
        format!("{cloud_name} 계정 설정")
    }

    fn expiry_hint(&self, max_days: i64) -> String {
        format!("사용할 수 있는 마지막 날을 YYYY-MM-DD 형식으로 입력해 주십시오. 오늘부터 최대 {max_days}일입니다.")
    }

    fn step_of(&self, step: u8, of: u8) -> String {
        format!("{of}단계 중 {step}단계")
    }

    fn attempts_left(&self, left: u32) -> String {
        attempts(left)
    }

    fn slow_down(&self, retry_after_secs: u64) -> String {
        format!("요청이 너무 많습니다. {retry_after_secs}초 뒤에 다시 시도해 주십시오.")
    }

    fn rule_min_chars(&self, min: usize) -> String {
        format!("{min}자 이상이어야 합니다.")
    }

    fn rule_max_bytes(&self, max: usize) -> String {
        format!(
            "{max}바이트 이하여야 합니다. 영문자·숫자·기호는 글자당 1바이트, 한글은 글자당 3바이트이므로 한글만 쓰면 약 {}자까지입니다. 클라우드는 이보다 긴 부분을 사용하지 않습니다.",
            max / 3
        )
    }

    fn in_words(&self, seconds: u64) -> String {
        let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60);
        match (days, hours, minutes) {
            (0, 0, m) => format!("{}분", m.max(1)),
            (0, h, 0) => format!("{h}시간"),
            (0, h, m) => format!("{h}시간 {m}분"),
            (d, 0, _) => format!("{d}일"),
            (d, h, _) => format!("{d}일 {h}시간"),
        }
    }

    fn mail_subject(&self) -> &'static str {
        "{{cloud_name}} 계정을 설정해 주십시오"
    }

    fn mail_text(&self) -> &'static str {
        include_str!("../../templates/link.ko.txt")
    }

    fn mail_html(&self) -> &'static str {
        include_str!("../../templates/link.ko.html")
    }

    fn replace_mail_subject(&self) -> &'static str {
        "{{cloud_name}} 계정에 새 인증 앱을 설정해 주십시오"
    }

    fn replace_mail_text(&self) -> &'static str {
        include_str!("../../templates/replace.ko.txt")
    }

    fn replace_mail_html(&self) -> &'static str {
        include_str!("../../templates/replace.ko.html")
    }

    fn added_mail_subject(&self) -> &'static str {
        "{{cloud_name}} 계정에 인증 앱이 추가되었습니다"
    }

    fn added_mail_text(&self) -> &'static str {
        include_str!("../../templates/added.ko.txt")
    }

    fn reminder_subject(&self, subject: &str) -> String {
        format!("[다시 알림] {subject}")
    }

    fn reminder_intro(&self, left: &str) -> String {
        format!(
            "계정 설정이 아직 끝나지 않아 다시 알려 드립니다. 아래 링크는 {left} 후에 만료됩니다. 처음 메일과 같은 링크이며, 그 사이에 설정을 마치셨다면 이 메일은 무시하셔도 됩니다."
        )
    }

    fn added_how(&self, recovered: bool) -> &'static str {
        if recovered {
            "복구 코드로 이전 앱을 교체함"
        } else {
            "로그인할 때 처음 설정함"
        }
    }
}

fn phrase_text(phrase: Phrase) -> &'static str {
    match phrase {
        Phrase::LanguageNav => "언어",
        Phrase::TitlePassword => "비밀번호 설정",
        Phrase::PasswordIntro => "가입할 때 정하신 PIN을 입력한 뒤, 계정에 사용할 새 비밀번호를 정해 주십시오.",
        Phrase::PinLabel => "PIN 번호",
        Phrase::NewPasswordLabel => "새 비밀번호",
        Phrase::NewPasswordAgainLabel => "새 비밀번호 확인",
        Phrase::SetPasswordButton => "비밀번호 설정",
        Phrase::RulesHeading => "새 비밀번호 조건:",
        Phrase::RuleFromCloud => "클라우드 자체 규칙:",
        Phrase::TitleTotp => "인증 앱 설정",
        Phrase::TotpIntro => "비밀번호가 설정되었습니다. 이제 휴대폰의 인증 앱(예: FreeOTP, Google Authenticator, Microsoft Authenticator)으로 아래 QR 코드를 스캔해 주십시오.",
        Phrase::QrLabel => "인증 앱에 등록할 QR 코드",
        Phrase::CantScan => "스캔할 수 없으면 아래 키를 직접 입력해 주십시오",
        Phrase::AccountLabel => "계정:",
        Phrase::TotpKind => "시간 기반 방식이며, 6자리 코드가 30초마다 바뀝니다.",
        Phrase::CodeLabel => "인증 앱에 표시된 6자리 코드",
        Phrase::YourNewPasswordLabel => "새 비밀번호",
        Phrase::SessionExpiredHint => "세션이 만료되어 새 비밀번호를 한 번 더 입력하셔야 합니다.",
        Phrase::ConfirmButton => "확인",
        Phrase::TitleAlmostDone => "거의 끝났습니다",
        Phrase::NeedsOperatorSet => "새 비밀번호가 설정되었습니다. 인증 앱을 설정하려면 먼저 관리자의 조치가 필요합니다.",
        Phrase::NeedsOperatorContact => "관리자에게 연락하여 계정에 이미 다중 인증(MFA) 규칙이 있다고 알려 주십시오. 조치가 끝나면 이 링크를 다시 열어 계속하실 수 있습니다.",
        Phrase::ResumeLabel => "관리자의 조치가 끝났습니까? 계속하려면 새 비밀번호를 입력해 주십시오.",
        Phrase::ContinueButton => "계속",
        Phrase::TitleAllSet => "설정이 완료되었습니다",
        Phrase::DoneTotpReady => "비밀번호와 인증 앱이 준비되었습니다.",
        Phrase::DoneTotpHowTo => "로그인할 때는 사용자 이름과 새 비밀번호, 그리고 인증 앱에 그때그때 표시되는 6자리 코드를 입력하십시오.",
        Phrase::DonePasswordOnly => "새 비밀번호가 설정되었습니다. 사용자 이름과 새 비밀번호로 로그인하십시오.",
        Phrase::GoToDashboard => "대시보드로 이동",
        Phrase::LinkUsedUp => "이 링크는 사용이 완료되었습니다. 이 페이지를 닫으셔도 됩니다.",
        Phrase::TitleLinkUnknown => "유효하지 않은 링크입니다",
        Phrase::TitleLinkGone => "더 이상 사용할 수 없는 링크입니다",
        Phrase::TitleLinkLocked => "링크가 잠겼습니다",
        Phrase::TitleTryAgainShortly => "잠시 후 다시 시도해 주십시오",
        Phrase::TitleSomethingWrong => "문제가 발생했습니다",
        Phrase::TitleDidNotWork => "요청을 처리하지 못했습니다",
        Phrase::TitleSlowDown => "잠시 기다려 주십시오",
        Phrase::ServerError => "서비스에서 오류가 발생했습니다. 몇 분 뒤에 다시 시도하시거나 관리자에게 문의해 주십시오.",
        Phrase::KeystoneUnavailable => "현재 클라우드 인증 서비스가 응답하지 않습니다. 몇 분 뒤에 다시 시도해 주십시오.",
        Phrase::DatabaseBusy => "현재 요청이 많아 서비스가 혼잡합니다. 잠시 후 다시 시도해 주십시오.",
        Phrase::DatabaseUnavailable => "현재 서비스가 데이터베이스에 연결할 수 없습니다. 몇 초 뒤에 다시 시도해 주십시오.",
        Phrase::SendAsBrowser => "웹 브라우저에서 양식을 제출해 주십시오.",
        Phrase::BodyTimeout => "양식 전송 시간이 초과되었습니다. 다시 제출해 주십시오.",
        Phrase::BodyTooLarge => "양식의 크기가 허용 한도를 초과했습니다.",
        Phrase::HeadTooLarge => "브라우저가 보낸 데이터가 허용 한도를 초과했습니다. 이메일의 링크를 다시 열어 주십시오.",
        Phrase::UriTooLong => "주소가 너무 깁니다. 이메일의 링크를 다시 열어 주십시오.",
        Phrase::TitleReset => "비밀번호 재설정",
        Phrase::ResetIntro => "비밀번호를 잊으셨거나 인증 앱을 사용할 수 없게 되셨습니까? 헬프데스크에 요청을 보내 주시면 확인 후 이메일로 연락드리겠습니다.",
        Phrase::NameLabel => "이름",
        Phrase::EmailLabel => "이메일 주소",
        Phrase::EmailHint => "가입할 때 등록하신 이메일 주소입니다.",
        Phrase::EmailAgainLabel => "이메일 주소 확인",
        Phrase::ResetPinHint => "가입할 때 정하신 PIN입니다.",
        Phrase::SendRequestButton => "요청 보내기",
        Phrase::TitleRequestReceived => "요청이 접수되었습니다",
        Phrase::ResetSentThanks => "감사합니다. 요청이 헬프데스크에 전달되었습니다.",
        Phrase::ResetSentNext => "입력하신 정보가 계정과 일치하면 헬프데스크에서 알려 주신 이메일 주소로 연락드리겠습니다. 이 페이지를 닫으셔도 됩니다.",
        Phrase::TitleEnrollSignIn => "인증 앱 등록",
        Phrase::EnrollIntro => "이 페이지에서 이미 가지고 계신 계정에 인증 앱을 설정할 수 있습니다. 먼저 사용자 이름과 비밀번호로 로그인해 주십시오.",
        Phrase::EnrollPasswordNote => "비밀번호는 클라우드 인증 서비스에서 확인하며, 이 서비스에는 저장되지 않습니다.",
        Phrase::UserNameLabel => "사용자 이름",
        Phrase::DomainLabel => "도메인",
        Phrase::PasswordLabel => "비밀번호",
        Phrase::SignInButton => "로그인",
        Phrase::EnrollScanIntro => "휴대폰의 인증 앱(예: FreeOTP, Google Authenticator, Microsoft Authenticator)으로 아래 QR 코드를 스캔한 뒤, 앱에 표시된 코드를 입력해 주십시오.",
        Phrase::EnrollDone => "인증 앱 설정이 완료되었습니다. 앞으로는 비밀번호와 인증 앱에 그때그때 표시되는 6자리 코드로 로그인하십시오.",
        Phrase::EnrollDoneClose => "이 페이지를 닫으셔도 됩니다.",
        Phrase::LostPhoneLink => "휴대전화를 잃어버리셨습니까? 복구 코드로 인증 앱을 교체하실 수 있습니다.",
        Phrase::TitleRecover => "인증 앱 교체",
        Phrase::RecoverIntro => "휴대전화를 잃어버리셨습니까? 비밀번호와 복구 코드 중 하나로 인증 앱을 교체하실 수 있습니다.",
        Phrase::RecoveryCodeLabel => "복구 코드",
        Phrase::RecoveryCodeHint => "인증 앱을 설정하실 때 저장해 두신 코드 중 하나입니다.",
        Phrase::YourAdministrator => "관리자",
        Phrase::RecoveryCodesHeading => "복구 코드",
        Phrase::RecoveryCodesIntro => "휴대전화를 잃어버리셨을 때 이 코드 중 하나와 비밀번호로 새 인증 앱을 직접 설정하실 수 있습니다. 각 코드는 한 번만 사용할 수 있습니다.",
        Phrase::RecoveryCodesKeep => "코드는 지금만 표시됩니다. 비밀번호 관리자에 저장하시거나 파일로 내려받거나 이 페이지를 인쇄하여 휴대전화와 따로 보관해 주십시오.",
        Phrase::RecoveryCodesDownload => "코드를 텍스트 파일로 내려받기",
        Phrase::RecoveryCodesFileTitle => "복구 코드: 각 코드는 비밀번호와 함께 한 번만 사용하여 잃어버린 인증 앱을 교체할 수 있습니다.",
        Phrase::TitleConfirm => "본인 확인",
        Phrase::ConfirmIntro => "인증 앱을 교체하려면 먼저 본인 확인이 필요합니다. 가입할 때 정하신 PIN과 지금 로그인할 때 사용하시는 비밀번호를 입력해 주십시오. 비밀번호는 변경되지 않습니다.",
        Phrase::CurrentPasswordLabel => "현재 비밀번호",
        Phrase::TotpIntroReplace => "이제 휴대폰의 인증 앱(예: FreeOTP, Google Authenticator, Microsoft Authenticator)으로 아래 QR 코드를 스캔해 주십시오. 이 앱의 코드가 클라우드에서 확인되면 이전에 설정하신 인증 앱은 이 앱으로 교체됩니다.",
        Phrase::SessionExpiredCurrentHint => "세션이 만료되어 비밀번호를 한 번 더 입력하셔야 합니다.",
        Phrase::NeedsOperatorReplace => "비밀번호는 변경되지 않았습니다. 새 인증 앱을 설정하려면 먼저 관리자의 조치가 필요합니다.",
        Phrase::ResumeLabelCurrent => "관리자의 조치가 끝났습니까? 계속하려면 비밀번호를 입력해 주십시오.",
        Phrase::DoneReplacedHowTo => "새 인증 앱이 이전 앱을 대신합니다. 로그인할 때는 사용자 이름과 기존 비밀번호, 그리고 새 인증 앱에 그때그때 표시되는 6자리 코드를 입력하십시오.",
        Phrase::TitleCli => "명령줄 접근 설정",
        Phrase::CliIntro => "OpenStack 명령줄과 다른 도구에서 사용할 애플리케이션 자격 증명을 받습니다. 비밀번호와 인증 앱에 지금 표시된 코드로 로그인해 주십시오.",
        Phrase::CliChooseIntro => "명령줄에서 사용할 프로젝트, 이 접근을 알아볼 이름, 사용할 수 있는 마지막 날을 선택해 주십시오.",
        Phrase::ProjectLabel => "프로젝트",
        Phrase::CredentialNameLabel => "이름",
        Phrase::CredentialNameHint => "나중에 알아보기 위한 이름입니다. 예를 들어 대시보드의 애플리케이션 자격 증명 목록에 표시됩니다.",
        Phrase::ExpiryLabel => "사용 기한",
        Phrase::NoExpiryLabel => "만료되지 않음",
        Phrase::CreateButton => "만들기",
        Phrase::TitleCliReady => "명령줄 접근 정보",
        Phrase::CliSecretIntro => "비밀 값은 지금 한 번만 표시되며 이 서비스는 사본을 보관하지 않습니다. 파일을 내려받아 안전하게 보관해 주십시오. 파일을 가진 사람은 누구나 이 프로젝트에서 사용자 본인으로 작업할 수 있습니다.",
        Phrase::CliIdLabel => "애플리케이션 자격 증명 ID",
        Phrase::CliSecretLabel => "비밀 값",
        Phrase::NeverExpires => "만료되지 않음",
        Phrase::CliDownloadClouds => "clouds.yaml 내려받기",
        Phrase::CliDownloadOpenrc => "openrc.sh 내려받기",
        Phrase::CliHowToClouds => "clouds.yaml을 ~/.config/openstack/clouds.yaml로 저장하거나 클라이언트를 실행하는 위치에 둔 다음 아래 명령을 실행해 주십시오.",
        Phrase::CliHowToOpenrc => "또는 셸에서 openrc.sh를 불러온 다음 --os-cloud 없이 클라이언트를 실행해 주십시오.",
        Phrase::CliSetUpLink => "명령줄 접근 설정(OpenStack 클라이언트용 애플리케이션 자격 증명)",
    }
}

fn refusal_text(refusal: &Refusal) -> String {
    match refusal {
        Refusal::LinkMissing => "이 페이지는 이메일로 받으신 본인 전용 링크로만 열 수 있습니다. 이메일의 링크를 열어 계속해 주십시오.".into(),
        Refusal::LinkDamaged => "링크 주소가 손상되었습니다. 이메일의 링크를 다시 열어 주십시오.".into(),
        Refusal::TokenMalformed => "링크 형식이 올바르지 않습니다. 이메일에 있는 링크 전체를 복사해 주십시오.".into(),
        Refusal::FormNotUnderstood => "양식을 처리할 수 없습니다. 페이지를 새로 고친 뒤 다시 시도해 주십시오.".into(),
        Refusal::PinMalformed { min, max } if min == max => format!("PIN은 숫자 {min}자리여야 합니다."),
        Refusal::PinMalformed { min, max } => format!("PIN은 {min}~{max}자리 숫자여야 합니다."),
        Refusal::CodeMalformed => "인증 앱에 표시된 6자리 숫자를 입력해 주십시오.".into(),
        Refusal::PasswordUnusable => format!(
            "이 비밀번호는 사용할 수 없습니다. 비밀번호는 비워 둘 수 없으며, 제어 문자를 포함하거나 {}바이트를 넘을 수 없습니다.",
            crate::domain::Password::MAX_BYTES
        ),
        Refusal::LinkUnknown => "이 링크를 찾을 수 없습니다. 새 링크가 발급되었을 수 있으니 가장 최근에 받으신 링크를 사용하시거나 관리자에게 새 링크를 요청해 주십시오.".into(),
        Refusal::LinkUsed => "이미 사용된 링크입니다. 비밀번호와 인증 앱 설정이 완료되었으므로 더 하실 일은 없습니다.".into(),
        Refusal::LinkExpired => "링크가 만료되었습니다. 관리자에게 새 링크를 요청해 주십시오.".into(),
        Refusal::LinkLocked => {
            "잘못 입력한 횟수가 너무 많아 링크가 잠겼습니다. 관리자에게 새 링크를 요청해 주십시오.".into()
        }
        Refusal::LockedAfterPin => {
            "이번에도 PIN이 올바르지 않아 링크가 잠겼습니다. 관리자에게 새 링크를 요청해 주십시오.".into()
        }
        Refusal::LockedAfterCode => {
            "이번에도 코드가 올바르지 않아 링크가 잠겼습니다. 관리자에게 새 링크를 요청해 주십시오.".into()
        }
        Refusal::LockedAfterPassword => {
            "이번에도 비밀번호가 올바르지 않아 링크가 잠겼습니다. 관리자에게 새 링크를 요청해 주십시오.".into()
        }
        Refusal::WrongPin { left } => format!("PIN이 올바르지 않습니다. {}", attempts(*left)),
        Refusal::WrongCode { left, skew_secs } => {
            format!("코드가 올바르지 않습니다.{} {}", skew_hint(*skew_secs), attempts(*left))
        }
        Refusal::CodeNotAccepted { left } => format!("클라우드에서 이 코드를 승인하지 않았습니다. 입력하는 사이에 코드가 바뀌었을 수 있으니 앱에 새 코드가 표시되면 그 코드를 입력해 주십시오. {}", attempts(*left)),
        Refusal::PasswordsDiffer => "입력하신 두 비밀번호가 일치하지 않습니다.".into(),
        Refusal::PasswordTooShort { min } => format!("비밀번호는 {min}자 이상이어야 합니다."),
        Refusal::PasswordTooLong { max_bytes } => format!("비밀번호가 너무 깁니다. 클라우드는 앞의 {max_bytes}바이트만 사용하므로 그 뒤의 글자는 보안에 도움이 되지 않습니다. {max_bytes}바이트 이하로 정해 주십시오(영문자·숫자·기호는 글자당 1바이트, 한글은 글자당 3바이트)."),
        Refusal::KeystoneRefusedPassword(message) => {
            format!("클라우드에서 이 비밀번호를 허용하지 않습니다. 클라우드 안내: {message}")
        }
        Refusal::ChangedElsewhere => "비밀번호를 변경하지 못했습니다. 다른 곳에서 계정 비밀번호가 이미 변경되었거나 계정이 삭제되었습니다. 관리자에게 새 링크를 요청해 주십시오.".into(),
        Refusal::AccountDisabled => "클라우드 인증 서비스에서 계정이 비활성화되어 있어 설정을 계속할 수 없습니다. 관리자에게 문의해 주십시오. 이 링크는 그대로 유효하므로 계정이 활성화되면 다시 열 수 있습니다.".into(),
        Refusal::AccountGone => {
            "클라우드 인증 서비스에 계정이 더 이상 존재하지 않습니다. 관리자에게 문의해 주십시오.".into()
        }
        Refusal::PasswordNeeded => {
            "세션이 만료되었습니다. 코드와 함께 새 비밀번호를 다시 입력해 주십시오.".into()
        }
        Refusal::WrongPassword => "비밀번호가 올바르지 않습니다. 방금 정하신 새 비밀번호를 입력해 주십시오.".into(),
        Refusal::WrongPasswordOrAccount => "비밀번호가 올바르지 않거나, 계정이 비활성화되었거나 삭제되었을 수 있습니다. 방금 정하신 새 비밀번호를 입력해 주십시오. 비밀번호가 맞는 것이 확실하다면 관리자에게 문의해 주십시오.".into(),
        Refusal::WrongCurrentPassword { left } => format!("비밀번호가 올바르지 않습니다. 지금 클라우드에 로그인할 때 사용하시는 비밀번호를 입력해 주십시오. {}", attempts(*left)),
        Refusal::WrongCurrentPasswordOrAccount { left } => format!("비밀번호가 올바르지 않거나, 계정이 비활성화되었거나 삭제되었을 수 있습니다. 지금 클라우드에 로그인할 때 사용하시는 비밀번호를 입력해 주십시오. 비밀번호가 맞는 것이 확실하다면 관리자에게 문의해 주십시오. {}", attempts(*left)),
        Refusal::CurrentPasswordNeeded => "세션이 만료되었습니다. 코드와 함께 비밀번호를 다시 입력해 주십시오.".into(),
        Refusal::StageMoved(Stage::Password) => "먼저 새 비밀번호를 설정해 주십시오.".into(),
        Refusal::StageMoved(Stage::Totp) => {
            "비밀번호는 이미 설정되었습니다. 이어서 인증 앱을 설정해 주십시오.".into()
        }
        Refusal::StageMoved(Stage::Complete) => "이미 사용된 링크입니다. 설정이 모두 완료되었습니다.".into(),
        Refusal::NeedsOperator => {
            "비밀번호는 설정되었지만, 인증 앱을 설정하려면 관리자의 조치가 필요합니다.".into()
        }
        Refusal::Busy => "다른 창에서 이 링크를 처리하는 중입니다. 잠시 후 페이지를 새로 고쳐 주십시오.".into(),
        Refusal::Replaced => "사용하시는 동안 새 링크가 발급되었거나 이 링크가 취소되었습니다. 가장 최근에 받으신 링크를 사용하시거나 관리자에게 새 링크를 요청해 주십시오.".into(),
        Refusal::TotpUnavailable => "비밀번호는 설정되었지만, 현재 인증 앱을 설정할 수 없습니다. 나중에 다시 시도하시거나 관리자에게 문의해 주십시오.".into(),
        Refusal::NameMissing => "이름을 입력해 주십시오.".into(),
        Refusal::NameUnusable { max } => format!("이름은 {max}자 이하의 일반 텍스트로 입력해 주십시오."),
        Refusal::EmailMissing => "이메일 주소를 입력해 주십시오.".into(),
        Refusal::EmailMalformed => "이메일 주소 형식이 올바르지 않습니다. 확인한 뒤 다시 입력해 주십시오.".into(),
        Refusal::EmailsDiffer => "입력하신 두 이메일 주소가 일치하지 않습니다.".into(),
        Refusal::UserNameMissing => "사용자 이름을 입력해 주십시오(255자 이하).".into(),
        Refusal::DomainNotOffered => "이 페이지에 표시된 도메인 중 하나를 선택해 주십시오.".into(),
        Refusal::SignInRefused => "사용자 이름 또는 비밀번호가 올바르지 않습니다. 둘 다 확인한 뒤 다시 시도해 주십시오. 여러 번 실패하면 클라우드에서 계정을 한동안 잠급니다.".into(),
        Refusal::AccountLockedByKeystone => "로그인에 여러 번 실패하여 계정이 잠겼습니다. 잠시 후 다시 시도하시거나 관리자에게 문의해 주십시오.".into(),
        Refusal::NotOptedIn => "이 계정은 여기에서 인증 앱을 설정할 수 없습니다. 관리자에게 문의해 주십시오.".into(),
        Refusal::SelfEnrollNeedsOperator => "계정에 인증 앱이 필요하지만, 이 서비스에서 아직 설정해 드릴 수 없습니다. 관리자에게 문의해 주십시오. 비밀번호는 변경되지 않았습니다.".into(),
        Refusal::AlreadyEnrolled => "이 계정에는 이미 인증 앱이 설정되어 있습니다. 인증 앱을 잃어버리셨다면 관리자에게 교체를 요청해 주십시오.".into(),
        Refusal::EnrollmentUnknown => "이 설정은 만료되었거나 이미 끝났습니다. 다시 로그인하여 처음부터 시작해 주십시오.".into(),
        Refusal::EnrollmentLocked => "코드가 여러 번 올바르지 않아 이 설정이 종료되었습니다. 다시 로그인하여 처음부터 시작해 주십시오.".into(),
        Refusal::RecoveryCodeMissing => "복구 코드 중 하나를 입력해 주십시오.".into(),
        Refusal::WrongRecoveryCode { left } => format!("복구 코드가 올바르지 않거나 이미 사용되었습니다. {}", attempts(*left)),
        Refusal::RecoveryLocked => "복구 코드가 여러 번 올바르지 않아 복구가 잠겼습니다. 한 시간 후에 다시 시도하시거나 관리자에게 문의해 주십시오.".into(),
        Refusal::CliSignInRefused => "사용자 이름, 비밀번호 또는 코드가 올바르지 않습니다. 확인하신 후 다시 시도해 주십시오. 여러 번 실패하면 클라우드가 계정을 잠시 잠급니다.".into(),
        Refusal::CliNeedsOperator => "이 계정의 로그인 규칙이 비밀번호와 코드 외의 인증을 요구하므로 여기에서 명령줄 접근을 설정할 수 없습니다. 관리자에게 문의해 주십시오.".into(),
        Refusal::CliSignInExpired => "이 페이지가 만료되었습니다. 명령줄 접근을 설정하려면 다시 로그인해 주십시오.".into(),
        Refusal::NoProjects => "이 계정은 아직 어떤 프로젝트에도 속해 있지 않아 명령줄에서 사용할 수 있는 것이 없습니다. 관리자에게 프로젝트에 추가해 달라고 요청하신 후 다시 와 주십시오.".into(),
        Refusal::ProjectMissing => "프로젝트를 선택해 주십시오.".into(),
        Refusal::ProjectNotYours => "이 프로젝트의 구성원이 아닙니다. 목록에 있는 프로젝트 중 하나를 선택해 주십시오.".into(),
        Refusal::CredentialNameUnusable => "이름을 255자 이내의 일반 텍스트로 입력해 주십시오.".into(),
        Refusal::CredentialNameTaken => "같은 이름의 명령줄 접근이 이미 있습니다. 다른 이름을 입력해 주십시오.".into(),
        Refusal::ExpiryMalformed => "만료일을 YYYY-MM-DD 형식으로 입력해 주십시오.".into(),
        Refusal::ExpiryNotInTheFuture => "오늘 이후의 만료일을 선택해 주십시오.".into(),
        Refusal::ExpiryTooLate { max_days } => format!("오늘부터 {max_days}일 이내의 만료일을 선택해 주십시오."),
        Refusal::NoExpiryNotAllowed { max_days } => format!("명령줄 접근에는 만료일이 있어야 합니다. 오늘부터 {max_days}일 이내의 날짜를 선택해 주십시오."),
        Refusal::KeystoneRefusedCredential => "클라우드가 요청한 대로 만들기를 거부했습니다. 다른 이름이나 날짜로 다시 시도하시거나 관리자에게 문의해 주십시오.".into(),
    }
}

/// Korean counts attempts with 번 and needs no plural form.
fn attempts(left: u32) -> String {
    format!("{left}번 더 시도할 수 있습니다.")
}

/// A phone clock that is off is the most common reason enrollment fails: say so, and by how much.
fn skew_hint(skew_secs: Option<i64>) -> String {
    let Some(secs) = skew_secs else { return String::new() };
    let amount = if secs.abs() < 90 {
        format!("{}초", secs.abs())
    } else {
        format!("약 {}분", (secs.abs() + 30) / 60)
    };
    let direction = if secs > 0 { "빠른" } else { "느린" };
    format!(" 휴대폰 시계가 {amount} {direction} 것으로 보입니다. 휴대폰의 날짜 및 시간을 자동(네트워크 시간)으로 설정한 뒤 다시 시도해 주십시오.")
}
