/* All strings of the liveness page, English and Indonesian, and the helpers that pick one.
 * main.js picks a set by <body data-lang>. A value may be {one, other} for plurals; "{name}"
 * placeholders are filled by `translator`. */
export const STRINGS = {
  en: {
    hint_title: "Let's make sure it's you",
    hint_lead: {
      one: "You'll be asked to do 1 simple movement in front of your camera. It takes less than a minute.",
      other: "You'll be asked to do {n} simple movements in front of your camera. It takes less than a minute."
    },
    passive_hint_lead: "You'll be asked to look at your camera and hold still for a few seconds. It takes less than a minute.",
    hold_title: "Hold still and look at the camera",
    hold_text: "Keep your face inside the oval until the circle is full.",
    passive_checking_title: "All done",
    passive_checking_text: "Checking your face…",
    tip_camera: "Allow access to your camera when your browser asks",
    tip_light: "Find a well-lit place, without a bright light behind you",
    tip_person: "Make sure you are the only person in view",
    tip_uncovered: "Keep your face uncovered: no mask, hat or sunglasses",
    btn_start: "Start",
    btn_back: "Back",
    btn_cancel: "Cancel",
    btn_try_again: "Try again",
    btn_reconnect: "Reconnect now",
    btn_use_here: "Continue here",
    btn_reload: "Reload page",
    camera_title: "Face check",
    camera_starting: "Starting camera…",
    connecting: "Connecting…",
    positioning_title: "Position your face",
    positioning_text: "Fit your face inside the oval and look straight at the camera.",
    between_title: "Nice!",
    between_text: "Look straight at the camera for the next step.",
    checking_title: "All done",
    checking_text: "Checking your movements…",
    step_of: "Step {i} of {n}",
    seconds_left: { one: "1 second left", other: "{n} seconds left" },
    challenge_announce: "Step {i} of {n}: {text}.",
    challenge_passed: "Done!",
    guidance: {
      ok: "Looks good, hold still",
      no_face: "We can't see your face",
      many_faces: "Only one person should be in view",
      move_closer: "Move a little closer",
      move_back: "Move back a little",
      center: "Center your face in the oval",
      too_dark: "It's too dark, find more light",
      too_bright: "Too bright, avoid direct light",
      hold_still: "Hold still",
      neutral: "Look straight at the camera",
      look_straight: "Look straight at the camera",
      no_hand: "Raise your hand beside your face",
      many_hands: "Show only one hand",
      hand_cut_off: "Show your whole hand inside the picture"
    },
    gestures: {
      HEAD_LEFT: "Turn your head to your left",
      HEAD_RIGHT: "Turn your head to your right",
      HEAD_UP: "Look up",
      HEAD_DOWN: "Look down",
      HEAD_OPEN_MOUTH: "Open your mouth",
      HEAD_CLOSE_MOUTH: "Close your mouth",
      HEAD_00: "Close both eyes (blink)",
      HEAD_01: "Close your right eye",
      HEAD_10: "Close your left eye",
      HEAD_11: "Open both eyes"
    },
    gesture_unknown: "Do the movement you were asked for",
    hand: "Show your hand with {fingers} raised",
    hand_fist: "Show your hand as a fist",
    hand_open: "Show your open hand, all five fingers raised",
    fingers: ["thumb", "index finger", "middle finger", "ring finger", "little finger"],
    list_and: " and ",
    failed_title: "That didn't work",
    failed_reasons: {
      NOT_MATCH: "We saw a different movement. Please do only the movement shown.",
      TIMEOUT: "Time ran out before we saw the movement.",
      "face not detected": "We couldn't see your face clearly.",
      "too many faces detected": "More than one face was in view.",
      "hand not detected": "We couldn't see your hand beside your face.",
      "too many hand detected": "More than one hand was in view."
    },
    failed_reason_other: "We couldn't confirm the movement.",
    attempts_left: { one: "You have 1 attempt left.", other: "You have {n} attempts left." },
    result: {
      passed: ["You're verified", "Thank you, that's all we needed."],
      failed: ["We couldn't verify you", "There are no attempts left for this verification."],
      cancelled: ["Verification cancelled", "You stopped the verification."],
      expired: ["This session has expired", "The time for this verification is over."],
      done: ["Just a moment", "Finishing your verification…"]
    },
    redirecting: "Taking you back…",
    continue_link: "Continue",
    camera_errors: {
      blocked: ["Camera access is blocked",
        "Allow camera access for this site in your browser settings (usually the camera or lock icon in the address bar), then try again."],
      missing: ["No camera found",
        "Connect a camera, or open this link on a device with a front camera, then try again."],
      busy: ["Your camera is in use",
        "Another app or tab is using your camera. Close it, then try again."],
      unsupported: ["Camera not available here",
        "This browser can't open the camera on this page. Open the link in an up-to-date browser such as Chrome, Safari or Firefox."],
      other: ["Couldn't start the camera",
        "Something went wrong while opening your camera. Please try again."]
    },
    lost_title: "Connection lost",
    lost_text: "Check your internet connection. You'll continue where you left off.",
    reconnecting_in: { one: "Reconnecting in 1 second…", other: "Reconnecting in {n} seconds…" },
    reconnecting_now: "Reconnecting…",
    paused: {
      analysis_unavailable: "Reconnecting… Analysis is briefly unavailable. Your timer is paused.",
      storage_unavailable: "Reconnecting… We are saving your progress. Your timer is paused."
    },
    busy_title: "Many people are verifying right now",
    busy_text: "We'll start your check as soon as there is room. Keep this page open.",
    busy_retry_in: { one: "Trying again in 1 second…", other: "Trying again in {n} seconds…" },
    busy_retry_now: "Trying again…",
    resumed: "Connected again, carry on.",
    ended_title: "This link is no longer valid",
    ended_text: "This verification has expired or was already completed. Go back to the app or website that sent you here to start again.",
    replaced_title: "Open in another tab",
    replaced_text: "This verification continued in another tab or window. You can close this one, or continue here instead.",
    error_title: "Something went wrong",
    error_text: "The page could not continue. Reload it to try again."
  },
  id: {
    hint_title: "Pastikan ini benar-benar Anda",
    hint_lead: {
      one: "Anda akan diminta melakukan 1 gerakan sederhana di depan kamera. Hanya butuh kurang dari satu menit.",
      other: "Anda akan diminta melakukan {n} gerakan sederhana di depan kamera. Hanya butuh kurang dari satu menit."
    },
    passive_hint_lead: "Anda akan diminta melihat ke kamera dan diam selama beberapa detik. Hanya butuh kurang dari satu menit.",
    hold_title: "Tahan posisi dan lihat ke kamera",
    hold_text: "Jaga wajah Anda di dalam oval sampai lingkaran penuh.",
    passive_checking_title: "Selesai",
    passive_checking_text: "Sedang memeriksa wajah Anda…",
    tip_camera: "Izinkan akses ke kamera saat diminta oleh browser",
    tip_light: "Cari tempat yang terang, tanpa cahaya terang di belakang Anda",
    tip_person: "Pastikan hanya Anda yang terlihat di kamera",
    tip_uncovered: "Jangan tutupi wajah: lepaskan masker, topi, atau kacamata hitam",
    btn_start: "Mulai",
    btn_back: "Kembali",
    btn_cancel: "Batal",
    btn_try_again: "Coba lagi",
    btn_reconnect: "Sambungkan sekarang",
    btn_use_here: "Lanjutkan di sini",
    btn_reload: "Muat ulang halaman",
    camera_title: "Pemeriksaan wajah",
    camera_starting: "Menyalakan kamera…",
    connecting: "Menghubungkan…",
    positioning_title: "Posisikan wajah Anda",
    positioning_text: "Masukkan wajah Anda ke dalam oval dan lihat lurus ke kamera.",
    between_title: "Bagus!",
    between_text: "Lihat lurus ke kamera untuk langkah berikutnya.",
    checking_title: "Selesai",
    checking_text: "Sedang memeriksa gerakan Anda…",
    step_of: "Langkah {i} dari {n}",
    seconds_left: { one: "Sisa 1 detik", other: "Sisa {n} detik" },
    challenge_announce: "Langkah {i} dari {n}: {text}.",
    challenge_passed: "Berhasil!",
    guidance: {
      ok: "Sudah pas, tahan posisi",
      no_face: "Wajah Anda tidak terlihat",
      many_faces: "Hanya satu orang yang boleh terlihat",
      move_closer: "Dekatkan wajah Anda",
      move_back: "Mundur sedikit",
      center: "Posisikan wajah di tengah oval",
      too_dark: "Terlalu gelap, cari tempat yang lebih terang",
      too_bright: "Terlalu terang, hindari cahaya langsung",
      hold_still: "Tahan, jangan bergerak",
      neutral: "Lihat lurus ke kamera",
      look_straight: "Lihat lurus ke kamera",
      no_hand: "Angkat tangan Anda di samping wajah",
      many_hands: "Tunjukkan satu tangan saja",
      hand_cut_off: "Tunjukkan seluruh tangan Anda di dalam gambar"
    },
    gestures: {
      HEAD_LEFT: "Tolehkan kepala ke kiri Anda",
      HEAD_RIGHT: "Tolehkan kepala ke kanan Anda",
      HEAD_UP: "Lihat ke atas",
      HEAD_DOWN: "Lihat ke bawah",
      HEAD_OPEN_MOUTH: "Buka mulut Anda",
      HEAD_CLOSE_MOUTH: "Tutup mulut Anda",
      HEAD_00: "Pejamkan kedua mata (berkedip)",
      HEAD_01: "Pejamkan mata kanan Anda",
      HEAD_10: "Pejamkan mata kiri Anda",
      HEAD_11: "Buka kedua mata Anda"
    },
    gesture_unknown: "Lakukan gerakan yang diminta",
    hand: "Tunjukkan tangan dengan {fingers} terangkat",
    hand_fist: "Tunjukkan tangan yang mengepal",
    hand_open: "Tunjukkan telapak tangan terbuka dengan kelima jari terangkat",
    fingers: ["ibu jari", "jari telunjuk", "jari tengah", "jari manis", "jari kelingking"],
    list_and: " dan ",
    failed_title: "Belum berhasil",
    failed_reasons: {
      NOT_MATCH: "Gerakan yang terlihat berbeda. Lakukan hanya gerakan yang diminta.",
      TIMEOUT: "Waktu habis sebelum gerakan Anda terlihat.",
      "face not detected": "Wajah Anda tidak terlihat dengan jelas.",
      "too many faces detected": "Ada lebih dari satu wajah yang terlihat.",
      "hand not detected": "Tangan Anda tidak terlihat di samping wajah.",
      "too many hand detected": "Ada lebih dari satu tangan yang terlihat."
    },
    failed_reason_other: "Gerakan Anda belum dapat dipastikan.",
    attempts_left: { one: "Sisa 1 kesempatan lagi.", other: "Sisa {n} kesempatan lagi." },
    result: {
      passed: ["Verifikasi berhasil", "Terima kasih, semuanya sudah selesai."],
      failed: ["Verifikasi tidak berhasil", "Kesempatan untuk verifikasi ini sudah habis."],
      cancelled: ["Verifikasi dibatalkan", "Anda menghentikan verifikasi."],
      expired: ["Sesi ini sudah kedaluwarsa", "Waktu untuk verifikasi ini sudah habis."],
      done: ["Tunggu sebentar", "Menyelesaikan verifikasi Anda…"]
    },
    redirecting: "Mengarahkan Anda kembali…",
    continue_link: "Lanjutkan",
    camera_errors: {
      blocked: ["Akses kamera diblokir",
        "Izinkan akses kamera untuk situs ini di pengaturan browser (biasanya ikon kamera atau gembok di bilah alamat), lalu coba lagi."],
      missing: ["Kamera tidak ditemukan",
        "Sambungkan kamera, atau buka tautan ini di perangkat yang memiliki kamera depan, lalu coba lagi."],
      busy: ["Kamera sedang digunakan",
        "Aplikasi atau tab lain sedang memakai kamera Anda. Tutup dulu, lalu coba lagi."],
      unsupported: ["Kamera tidak tersedia di sini",
        "Browser ini tidak dapat membuka kamera di halaman ini. Buka tautan di browser terbaru seperti Chrome, Safari, atau Firefox."],
      other: ["Kamera tidak dapat dinyalakan",
        "Terjadi kesalahan saat membuka kamera. Silakan coba lagi."]
    },
    lost_title: "Koneksi terputus",
    lost_text: "Periksa koneksi internet Anda. Anda akan melanjutkan dari langkah terakhir.",
    reconnecting_in: { one: "Menyambungkan kembali dalam 1 detik…", other: "Menyambungkan kembali dalam {n} detik…" },
    reconnecting_now: "Menyambungkan kembali…",
    paused: {
      analysis_unavailable: "Menyambungkan kembali… Analisis sedang tidak tersedia. Waktu Anda dijeda.",
      storage_unavailable: "Menyambungkan kembali… Kami sedang menyimpan kemajuan Anda. Waktu Anda dijeda."
    },
    busy_title: "Banyak orang sedang melakukan verifikasi",
    busy_text: "Pemeriksaan Anda akan dimulai begitu ada tempat. Biarkan halaman ini tetap terbuka.",
    busy_retry_in: { one: "Mencoba lagi dalam 1 detik…", other: "Mencoba lagi dalam {n} detik…" },
    busy_retry_now: "Mencoba lagi…",
    resumed: "Tersambung kembali, silakan lanjutkan.",
    ended_title: "Tautan ini sudah tidak berlaku",
    ended_text: "Verifikasi ini sudah kedaluwarsa atau sudah selesai. Kembali ke aplikasi atau situs yang mengirim Anda ke sini untuk memulai lagi.",
    replaced_title: "Terbuka di tab lain",
    replaced_text: "Verifikasi ini dilanjutkan di tab atau jendela lain. Tutup tab ini, atau lanjutkan di sini.",
    error_title: "Terjadi kesalahan",
    error_text: "Halaman tidak dapat melanjutkan. Muat ulang untuk mencoba lagi."
  }
};

export function fill(s, vars) {
  return s.replace(/\{(\w+)\}/g, function (m, k) { return vars && vars[k] != null ? vars[k] : m; });
}

// `t(key, vars)` for dotted keys with plurals, `gestureText(code)` for a challenge's sentence.
export function translator(lang) {
  const str = STRINGS[lang] || STRINGS.en;

  function t(key, vars) {
    let s = str;
    const parts = key.split(".");
    for (let i = 0; i < parts.length && s != null; i++) s = s[parts[i]];
    if (s == null) return "";
    if (typeof s === "object" && !Array.isArray(s)) s = (vars && vars.n === 1) ? s.one : s.other;
    return fill(String(s), vars);
  }

  function gestureText(code) {
    if (str.gestures[code]) return str.gestures[code];
    const m = /^HAND_([01]{5})$/.exec(code || "");
    if (!m) return str.gesture_unknown;
    if (m[1] === "00000") return str.hand_fist;
    if (m[1] === "11111") return str.hand_open;
    const names = [];
    for (let i = 0; i < 5; i++) if (m[1].charAt(i) === "1") names.push(str.fingers[i]);
    const list = names.length > 1
      ? names.slice(0, -1).join(", ") + str.list_and + names[names.length - 1]
      : names[0];
    return fill(str.hand, { fingers: list });
  }

  return { str: str, t: t, fill: fill, gestureText: gestureText };
}
