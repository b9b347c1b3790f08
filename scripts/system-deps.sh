#!/usr/bin/env bash
# Installs the Debian packages the portal needs, only those that are missing.
# Pango for WeasyPrint, poppler-utils to read PDFs back, gettext for translations,
# Chromium for browser tests, docker-compose to check the compose file, xmlsec1 for the
# SAML identity provider the sign-in tests run, and a Java runtime for the Nu HTML Checker
# (vnu.jar, from npm) that the browser sweep runs over every page.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils gettext chromium docker-compose xmlsec1)
# Any Java will do for vnu.jar: Debian's default one only where none is installed.
command -v java >/dev/null || packages+=(default-jre-headless)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
