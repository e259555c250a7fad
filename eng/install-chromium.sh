#!/usr/bin/env bash
# Makes sure the UI tests have a Chromium, as eng/run-local.sh makes sure the host has Azurite: Debian's `chromium`
# package at /usr/bin/chromium (Playwright's own browser download is never used). Does nothing when UI_CHROMIUM names
# an executable or /usr/bin/chromium exists; otherwise installs it with apt-get, as root directly or through sudo.
# Run by eng/test.sh and .ci/run; exits non-zero, saying what to do, when it cannot install.
set -euo pipefail

if [ -n "${UI_CHROMIUM:-}" ]; then
  if [ -x "$UI_CHROMIUM" ]; then
    exit 0
  fi
  echo "UI_CHROMIUM=$UI_CHROMIUM is not an executable; unset it to use Debian's chromium at /usr/bin/chromium." >&2
  exit 1
fi

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

manual="Install it yourself with 'sudo apt-get update && sudo apt-get install -y chromium' (Debian/Ubuntu), or point UI_CHROMIUM at a Chromium or Chrome executable, then run the tests again."
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The UI tests need Chromium at /usr/bin/chromium and this machine has no apt-get. $manual" >&2
  exit 1
fi

install=(sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null')
echo "Installing Chromium for the UI tests (Debian package 'chromium', once)..."
if [ "$(id -u)" -eq 0 ]; then
  "${install[@]}" || { echo "apt-get could not install chromium. $manual" >&2; exit 1; }
elif command -v sudo >/dev/null 2>&1; then
  sudo "${install[@]}" || { echo "sudo apt-get could not install chromium. $manual" >&2; exit 1; }
else
  echo "Not root and no sudo: cannot install Chromium. $manual" >&2
  exit 1
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "apt-get finished but /usr/bin/chromium is missing (on Ubuntu the package may be a snap: set UI_CHROMIUM=/snap/bin/chromium). $manual" >&2
  exit 1
fi
