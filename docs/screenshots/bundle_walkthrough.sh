#!/usr/bin/env bash
# Run the PyInstaller bundle as a new user would, on a virtual X screen with a window manager,
# with only the keyboard, and screenshot every screen: first-run wizard, first window, intake,
# case search, a new access request, identity verification, the access report (progress,
# preview, save), Settings, Audit.
#
#   make dist && bash docs/screenshots/bundle_walkthrough.sh [dist/helpdesk-intake/helpdesk-intake]
#
# Needs Debian's xvfb, openbox (a window manager, so windows and dialogs get their title bars),
# xdotool and imagemagick (import). Nothing here touches your own store or
# keyring: HOME and the XDG folders are a fresh temporary folder, and with no D-Bus session the
# keyring has no usable backend, so the wizard asks for a passphrase (as on a headless Linux box).
# Screenshots go to docs/screenshots/bundle-NN-<name>.png; the saved report to the fresh HOME.
set -euo pipefail
cd "$(dirname "$0")/../.."
APP="$(realpath "${1:-dist/helpdesk-intake/helpdesk-intake}")"
OUT="$(pwd)/docs/screenshots"
PASS="correct horse battery"
for tool in Xvfb openbox xdotool import; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install xvfb openbox xdotool imagemagick)" >&2; exit 2; }
done
[ -x "$APP" ] || { echo "no bundle at $APP; run 'make dist' first" >&2; exit 2; }

HOME_DIR="$(mktemp -d /tmp/bundle-walk-home.XXXXXX)"
export HOME="$HOME_DIR" XDG_DATA_HOME="$HOME_DIR/.local/share" XDG_CONFIG_HOME="$HOME_DIR/.config" \
  XDG_CACHE_HOME="$HOME_DIR/.cache" XDG_STATE_HOME="$HOME_DIR/.local/state"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
unset DBUS_SESSION_BUS_ADDRESS HELPDESK_INTAKE_PASSPHRASE HELPDESK_INTAKE_STORE HELPDESK_INTAKE_STAFF \
  QT_QPA_PLATFORM WAYLAND_DISPLAY || true

DISPLAY_NO=":$((90 + RANDOM % 9))"
Xvfb "$DISPLAY_NO" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
export DISPLAY="$DISPLAY_NO"
APP_PID=""
WM=""
cleanup() {  # what has already exited (the app after Ctrl+Q) is no failure
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; fi
  if [ -n "$WM" ]; then kill "$WM" 2>/dev/null || true; fi
  kill "$XVFB" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
openbox >/dev/null 2>&1 &
WM=$!
sleep 1

N=0
shot() {  # shot NAME: the whole screen, after the app has had time to paint
  sleep "${2:-1.2}"
  N=$((N + 1))
  local file
  file="$OUT/bundle-$(printf %02d "$N")-$1.png"
  import -window root "$file"
  echo "$(basename "$file")"
}
window() {  # window TITLE-REGEX: wait for it and give it the keyboard
  local id
  for _ in $(seq 1 150); do
    id="$(xdotool search --onlyvisible --name "$1" 2>/dev/null | tail -1 || true)"
    [ -n "$id" ] && break
    sleep 0.2
  done
  [ -n "$id" ] || { shot "failure-no-$(echo "$1" | tr -c 'a-z0-9' -)" 0; echo "timed out waiting for a window named '$1'" >&2; exit 1; }
  xdotool windowfocus --sync "$id" 2>/dev/null || xdotool windowfocus "$id"
  sleep 0.3
  echo "$id"
}
key() { xdotool key --clearmodifiers --delay 80 "$@"; sleep 0.25; }
type_() { xdotool type --clearmodifiers --delay 25 -- "$1"; sleep 0.2; }
replace() { key ctrl+a; type_ "$1"; }  # select what a field holds and type over it

"$APP" >"$HOME_DIR/app.log" 2>&1 &
APP_PID=$!

# ---- first-run wizard --------------------------------------------------------------------------
window "Set up helpdesk-intake" >/dev/null
shot wizard-location 2
key alt+y; replace "Sam Rivera"
key alt+n
shot wizard-protection
key alt+p; type_ "$PASS"; key alt+r; type_ "$PASS"
shot wizard-protection-filled 0.5
key alt+n
shot wizard-organisation
key alt+o; replace "Parcel Post Mail Ltd"
key alt+a; type_ "12 Harbour Street"; key Return; type_ "Bristol BS1 4RN"; key Return; type_ "United Kingdom"
key alt+c; replace "privacy@parcelpost.example"
shot wizard-organisation-filled 0.5
key alt+n
shot wizard-report
key alt+n
shot wizard-notice
key alt+n
shot wizard-deadlines
key alt+n
shot wizard-retention
key alt+c  # Create store
window "^helpdesk-intake$" >/dev/null
shot first-window 2.5

# ---- intake (Ctrl+N), with a mistake first --------------------------------------------------------
key ctrl+n
key alt+n; type_ "Ada Lovelace"
key alt+m; type_ "ada@example"
key Tab
shot intake-inline-error 0.8
key alt+m; key End; type_ ".org"
key alt+p; type_ "020 7946 0001"
key alt+c; key Down  # Bounce / NDR
key alt+d; type_ "Since Monday every message to gmail.com bounces with 550 5.7.1."
key alt+t; type_ "Diagnostic-Code: smtp; 550-5.7.1 unauthenticated email is not accepted"
key alt+h; key Tab; key space; key Tab; key Tab; key space  # notice shown, (no marketing), 13 or older
shot intake-filled 0.5
key ctrl+Return
shot intake-saved
key ctrl+n
key alt+n; type_ "Łukasz Żółw"
key alt+m; type_ "lukasz@example.pl"
key alt+c; key Down; key Down  # spam folder placement
key alt+d; type_ "Invoices reach Outlook recipients only in the junk folder."
key alt+h; key Tab; key space; key Tab; key Tab; key space
key ctrl+Return
sleep 1
key ctrl+n
key alt+n; type_ "Zoë Lindström"
key alt+m; type_ "zoe@example.se"
key alt+p; type_ "+46 8 123 456 78"
key alt+c; key Down; key Down; key Down; key Down  # SMTP authentication
key alt+d; type_ "SMTP AUTH rejected since the password was reset."
key alt+h; key Tab; key space; key Tab; key Tab; key space
key ctrl+Return
sleep 1

# ---- find a case (Ctrl+F) --------------------------------------------------------------------------
key ctrl+f
shot cases-list
type_ "ada"
shot cases-search 1.5
key Tab; key Tab; key Down; key Return  # past the status filter to the result, opened from the keyboard
window "^Case 1" >/dev/null
shot case-detail
key alt+o; key alt+n; type_ "Asked for the full bounce message."; key alt+a
shot case-detail-note 0.8
key Escape
window "^helpdesk-intake$" >/dev/null
key ctrl+f; key ctrl+a; key BackSpace
sleep 1

# ---- an access request (Ctrl+R), identity, report ------------------------------------------------
key ctrl+r
shot requests-empty
key ctrl+shift+n
window "New data-subject request" >/dev/null
key alt+e; type_ "ada@example.org"
shot request-new 0.5
key alt+o
shot request-new-matches
key alt+c
window "^helpdesk-intake$" >/dev/null
shot requests-one
key alt+i
window "Identity verification" >/dev/null
shot request-verify
key alt+r
window "^helpdesk-intake$" >/dev/null
shot requests-verified
key alt+g
window "^Access report for" >/dev/null
shot report-password
key alt+g
window ": preview" >/dev/null
shot report-preview 3
key alt+s
window "Save access report" >/dev/null
shot report-save-dialog
key Return
for _ in $(seq 1 50); do ls "$HOME_DIR"/access-report-*.pdf >/dev/null 2>&1 && break; sleep 0.2; done
shot report-saved
key Return
window "^helpdesk-intake$" >/dev/null

# ---- settings and audit -----------------------------------------------------------------------------
key ctrl+shift+a
shot audit
xdotool key --clearmodifiers ctrl+q || true
sleep 2
ls "$HOME_DIR"/access-report-*.pdf >/dev/null 2>&1 || { echo "no report was saved" >&2; exit 1; }
echo "$N screenshots; report saved as $(basename "$HOME_DIR"/access-report-*.pdf); store in $XDG_DATA_HOME"
