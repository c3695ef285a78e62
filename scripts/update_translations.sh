#!/bin/sh
# Regenerate resources/translations/*.ts from every ui/ source, then build the .qm files.
# Run from the repository root after changing any visible string; translate new entries in the
# zh_CN .ts (pyside6-linguist, or by hand) and run again. tests/ui/test_i18n.py checks completeness.
set -eu
cd "$(dirname "$0")/.."
BIN=${PYSIDE6_BIN:-.venv/bin}
SOURCES=$(find ui -name '*.py' | sort)
# English is the source language: its .ts holds only the plural forms ("%n slice(s)").
for lang in zh_CN en; do
    extra=""
    [ "$lang" = en ] && extra="-pluralonly"
    "$BIN/pyside6-lupdate" -no-obsolete -locations none $extra -source-language en \
        -target-language "$lang" $SOURCES -ts "resources/translations/nodule_desk_$lang.ts"
    "$BIN/pyside6-lrelease" -silent "resources/translations/nodule_desk_$lang.ts" \
        -qm "resources/translations/nodule_desk_$lang.qm"
done
