// Line mapping between a .nix testScript and the built test-script, and the
// edit-without-rebuild decision. Pure text work: these tests run with no Nix
// on PATH, which is itself part of what they show.
#include "core/nix/nixcommand.h"
#include "core/nix/scriptedit.h"
#include "core/nix/scriptlinemap.h"
#include "core/nix/scriptsource.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace nixtide;

namespace {

QString lines(std::initializer_list<const char *> l)
{
    QStringList out;
    for (const char *s : l)
        out.append(QString::fromUtf8(s));
    return out.join(u'\n') + u'\n';
}

// Locates, strips and aligns in one go, as the engine does.
ScriptLineMap mapOf(const QString &nix, const QString &script)
{
    const ScriptLocation loc = locateScriptInSource(nix);
    return ScriptLineMap::build(nix, loc, script);
}

QString renderWith(const QString &nix, const QStringList &values)
{
    const ScriptLocation loc = locateScriptInSource(nix);
    const NixStringLiteral lit = NixSource::parseString(nix, scriptStringOffset(nix, loc));
    return NixSource::strip(lit).render(values);
}

} // namespace

class TestScriptLineMap : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Nothing here may call Nix: take it away.
        qputenv("PATH", "/nonexistent");
        qputenv("NIXTIDE_NIX", "");
        QVERIFY(NixCommand::program().isEmpty());
    }

    void plainIndentedString()
    {
        const QString nix = lines({"{", // 1
            "  name = \"t\";", // 2
            "  testScript = ''", // 3
            "    start_all()", // 4
            "    machine.succeed(\"a\")", // 5
            "", // 6
            "    if True:", // 7
            "        machine.succeed(\"b\")", // 8
            "  '';", // 9
            "}"});
        const QString script = QStringLiteral(
            "start_all()\nmachine.succeed(\"a\")\n\nif True:\n    machine.succeed(\"b\")\n");
        QCOMPARE(renderWith(nix, {}), script);
        const ScriptLineMap map = mapOf(nix, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {4, 5, 6, 7, 8}));
        QCOMPARE(map.nixLineForScriptLine(5), 8);
        QCOMPARE(map.nixLineForScriptLine(6), 0);
        QCOMPARE(map.scriptLineForNixLine(7), 4);
        QCOMPARE(map.scriptLineForNixLine(3), 0);
    }

    void location()
    {
        const QString nix = lines({"{ pkgs, ... }:", // 1
            "{", // 2
            "  # testScript = \"no\";", // 3
            "  testScript =", // 4
            "    { nodes, ... }:", // 5
            "    ''", // 6
            "      x()", // 7
            "    '';", // 8
            "}"});
        const ScriptLocation text = locateScriptInSource(nix);
        QVERIFY(text.found());
        QCOMPARE(text.how, QStringLiteral("text"));
        QCOMPARE(text.attrLine, 4);
        QCOMPARE(text.attrColumn, 3);
        QVERIFY(text.isFunction);
        QVERIFY(text.isString);
        QCOMPARE(text.line, 6);
        QCOMPARE(text.column, 5);
        // From Nix's own position of the attribute.
        const ScriptLocation byNix = locateScriptInSource(nix, 4, 3);
        QCOMPARE(byNix.how, QStringLiteral("nix"));
        QCOMPARE(byNix.line, 6);
        // A value that is not a literal is found but not a string.
        const ScriptLocation other = locateScriptInSource(
            QStringLiteral("{\n  testScript = builtins.readFile ./t.py;\n}\n"));
        QVERIFY(other.found());
        QVERIFY(!other.isString);
        QCOMPARE(other.attrLine, 2);
    }

    // Real files keep the script behind `let … in`, in the value or around
    // the test; the literal is found without evaluation and maps exactly.
    void letInValue()
    {
        const QString nix = lines({"{ lib, ... }:", // 1
            "{", // 2
            "  testScript =", // 3
            "    { nodes, ... }:", // 4
            "    let", // 5
            "      port = toString 80; # a comment; with a semicolon", // 6
            "      inherit (nodes.server.networking) primaryIPAddress;", // 7
            "      opts = { a = \"in\"; b = [ ''x;'' ]; };", // 8
            "    in", // 9
            "    ''", // 10
            "      start_all()", // 11
            "      client.succeed(\"curl ${primaryIPAddress}:${port}\")", // 12
            "    '';", // 13
            "}"});
        const ScriptLocation loc = locateScriptInSource(nix);
        QVERIFY(loc.found());
        QVERIFY(loc.isString);
        QVERIFY(loc.isFunction);
        QCOMPARE(loc.attrLine, 3);
        QCOMPARE(loc.line, 10);
        const QString script
            = QStringLiteral("start_all()\nclient.succeed(\"curl 192.168.1.2:80\")\n");
        const ScriptLineMap map = mapOf(nix, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {11, 12}));
    }

    void nameBoundInLet()
    {
        const QString nix = lines({"let", // 1
            "  script = ''", // 2
            "    machine.start()", // 3
            "    machine.wait_for_unit(\"default.target\")", // 4
            "  '';", // 5
            "in", // 6
            "{", // 7
            "  name = \"t\";", // 8
            "  testScript = script;", // 9
            "}"});
        const ScriptLocation loc = locateScriptInSource(nix);
        QVERIFY(loc.isString);
        QCOMPARE(loc.attrLine, 9);
        QCOMPARE(loc.line, 2);
        const ScriptLineMap map = mapOf(
            nix, QStringLiteral("machine.start()\nmachine.wait_for_unit(\"default.target\")\n"));
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {3, 4}));
        // An expression stays "not a literal": only evaluation can tell.
        const ScriptLocation call = locateScriptInSource(
            QStringLiteral("{\n  testScript = lib.concatStrings [ a b ];\n}\n"));
        QVERIFY(call.found());
        QVERIFY(!call.isString);
        // A name with no binding in the file is not a literal either.
        const ScriptLocation unbound
            = locateScriptInSource(QStringLiteral("{ script }:\n{\n  testScript = script;\n}\n"));
        QVERIFY(unbound.found());
        QVERIFY(!unbound.isString);
    }

    void escapes()
    {
        const QString nix = lines({"{", // 1
            "  testScript = ''", // 2
            "    x = \"''${HOME}\"", // 3
            "    y = '''quoted'''", // 4
            "    w = 1''\\nv = 2", // 5
            "    cost = \"$$5 and $${x}\"", // 6
            "  '';", // 7
            "}"});
        const QString script = QStringLiteral(
            "x = \"${HOME}\"\ny = ''quoted''\nw = 1\nv = 2\ncost = \"$$5 and $${x}\"\n");
        QCOMPARE(renderWith(nix, {}), script);
        const ScriptLineMap map = mapOf(nix, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {3, 4, 5, 5, 6}));
    }

    void escapeAtLineStartKeepsIndentation()
    {
        // An escape ends the leading whitespace: it counts for the minimum
        // indentation like text, and is never stripped itself.
        const QString nix = lines({"{", // 1
            "  testScript = ''", // 2
            "      ''$x = 1", // 3
            "    y = 2", // 4
            "  '';", // 5
            "}"});
        const QString script = QStringLiteral("  $x = 1\ny = 2\n");
        QCOMPARE(renderWith(nix, {}), script);
        QCOMPARE(mapOf(nix, script).nixLines(), (QVector<int> {3, 4}));
    }

    void singleLineAntiquotation()
    {
        const QString nix = lines({"{ pkgs }:", // 1
            "{", // 2
            "  testScript = ''", // 3
            "    machine.succeed(\"${pkgs.hello}/bin/hello\")", // 4
            "    ${pkgs.lib.optionalString true \"x = 1\"}", // 5
            "    machine.succeed(\"${pkgs.a} ${pkgs.b}\")", // 6
            "  '';", // 7
            "}"});
        const QString script
            = QStringLiteral("machine.succeed(\"/nix/store/abc-hello/bin/hello\")\nx = 1\n"
                             "machine.succeed(\"/nix/store/a /nix/store/b\")\n");
        const ScriptLineMap map = mapOf(nix, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {4, 5, 6}));
        QCOMPARE(map.antiquotationValues(),
            (QStringList {QStringLiteral("/nix/store/abc-hello"), QStringLiteral("x = 1"),
                QStringLiteral("/nix/store/a"), QStringLiteral("/nix/store/b")}));
    }

    void antiquotationProducingLines()
    {
        const QString nix = lines({"let setup = \"a()\\nb()\\nc()\\n\"; in", // 1
            "{", // 2
            "  testScript = ''", // 3
            "    start_all()", // 4
            "    ${setup}", // 5
            "    done()", // 6
            "  '';", // 7
            "}"});
        // The value's lines all map to the antiquotation's line; the newline
        // after `${setup}` on line 5 leaves an empty line of its own.
        const QString script = QStringLiteral("start_all()\na()\nb()\nc()\n\ndone()\n");
        const ScriptLineMap map = mapOf(nix, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {4, 5, 5, 5, 5, 6}));
        QCOMPARE(map.scriptLineForNixLine(6), 6);
    }

    void multiLineAntiquotation()
    {
        const QString nix = lines({"{ lib }:", // 1
            "{", // 2
            "  testScript = ''", // 3
            "    ${lib.concatMapStrings (n: ''", // 4
            "      ${n}.start() # } not the end", // 5
            "    '') [ \"a\" \"b\" ]}", // 6
            "    start_all()", // 7
            "  '';", // 8
            "}"});
        const QString script
            = QStringLiteral("a.start() # } not the end\nb.start() # } not the end\n"
                             "\nstart_all()\n");
        const ScriptLineMap map = mapOf(nix, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {4, 4, 6, 7}));
        QCOMPARE(map.antiquotationValues().size(), 1);
    }

    void functionForm()
    {
        const QString nix = lines({"{", // 1
            "  testScript =", // 2
            "    { nodes, ... }:", // 3
            "    ''", // 4
            "      addr = \"${nodes.server.networking.ip}\"", // 5
            "      client.succeed(f\"ping {addr}\")", // 6
            "    '';", // 7
            "}"});
        const ScriptLocation loc = locateScriptInSource(nix);
        QVERIFY(loc.isFunction);
        const QString script
            = QStringLiteral("addr = \"10.0.0.1\"\nclient.succeed(f\"ping {addr}\")\n");
        const ScriptLineMap map = ScriptLineMap::build(nix, loc, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {5, 6}));
    }

    void indentationRules()
    {
        // Minimum indentation 4 (line 5); tabs are not indentation; a
        // whitespace-only line keeps what is beyond the minimum; the last
        // line of spaces before '' is dropped.
        const QString nix = lines({"{", // 1
            "  testScript = ''  ", // 2 (spaces after '' are swallowed)
            "        deep()", // 3
            "      ", // 4
            "    shallow()", // 5
            "\ttabbed()", // 6
            "    '';", // 7
            "}"});
        const QString script = QStringLiteral("    deep()\n  \nshallow()\n\ttabbed()\n");
        // With a tab line the minimum is 0: nothing is stripped at all.
        const QString zeroIndent
            = QStringLiteral("        deep()\n      \n    shallow()\n\ttabbed()\n");
        QCOMPARE(renderWith(nix, {}), zeroIndent);
        QVERIFY(!mapOf(nix, script).isValid());
        QCOMPARE(mapOf(nix, zeroIndent).nixLines(), (QVector<int> {3, 4, 5, 6}));

        QString noTab = nix;
        noTab.replace(QStringLiteral("\ttabbed()\n"), QString());
        QCOMPARE(renderWith(noTab, {}), QStringLiteral("    deep()\n  \nshallow()\n"));
        QCOMPARE(mapOf(noTab, QStringLiteral("    deep()\n  \nshallow()\n")).nixLines(),
            (QVector<int> {3, 4, 5}));
    }

    void noTrailingNewlineAndFirstLineText()
    {
        const QString nix = QStringLiteral("{\n  testScript = ''first()\n    second()'';\n}\n");
        // Text right after '' is the first line and has indentation 0.
        QCOMPARE(renderWith(nix, {}), QStringLiteral("first()\n    second()"));
        QCOMPARE(
            mapOf(nix, QStringLiteral("first()\n    second()")).nixLines(), (QVector<int> {2, 3}));
    }

    void doubleQuotedString()
    {
        const QString nix = QStringLiteral(
            "{\n  testScript = \"start_all()\\nmachine.succeed(\\\"${x}\\\")\\n\";\n}\n");
        const QString script = QStringLiteral("start_all()\nmachine.succeed(\"ok\")\n");
        const ScriptLineMap map = mapOf(nix, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        QCOMPARE(map.nixLines(), (QVector<int> {2, 2}));
        QCOMPARE(map.antiquotationValues(), QStringList {QStringLiteral("ok")});
    }

    void mismatchIsReported()
    {
        const QString nix = QStringLiteral("{\n  testScript = ''\n    a()\n  '';\n}\n");
        const ScriptLineMap map = mapOf(nix, QStringLiteral("b()\n"));
        QVERIFY(!map.isValid());
        QVERIFY(map.error().contains(QStringLiteral("does not match")));
    }

    void utf8Columns()
    {
        // Nix counts columns in bytes: "é" is two.
        const QString src = QStringLiteral("{ é = 1; testScript = ''\n  x\n''; }\n");
        const int offset = NixSource::offsetOf(src, 1, 11);
        QCOMPARE(src.mid(offset, 10), QStringLiteral("testScript"));
        QCOMPARE(locateScriptInSource(src, 1, 11).line, 1);
    }

    // Every caller finds the script with the one locator: the build (from
    // the position Nix reports), the editor and lint (from the text alone)
    // and the line map agree, also where a `testScript =` or the script's
    // name is written in a comment or inside another string.
    void callersAgree_data()
    {
        QTest::addColumn<QString>("nix");
        QTest::addColumn<int>("attrLine"); // as Nix reports it
        QTest::addColumn<int>("attrColumn");
        QTest::addColumn<int>("line"); // the literal's opening quote
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("built");
        const QString startAll = QStringLiteral("start_all()\n");
        QTest::newRow("inside another string") << lines({"{", // 1
            "  description = \"to debug, set testScript = ''breakpoint()''; in a copy\";",
            "  testScript = ''", // 3
            "    start_all()", // 4
            "  '';", // 5
            "}"}) << 3 << 3 << 3 << 16 << startAll;
        QTest::newRow("in a block comment") << lines({"{", // 1
            "  /* testScript = ''", // 2
            "       old()", // 3
            "     ''; */", // 4
            "  testScript = ''", // 5
            "    start_all()", // 6
            "  '';", // 7
            "}"}) << 5 << 3 << 5 << 16 << startAll;
        QTest::newRow("after a # in a string") << lines({"{", // 1
            "  name = \"a#b\"; testScript = ''", // 2
            "    start_all()", // 3
            "  '';", // 4
            "}"}) << 2 << 17 << 2 << 30 << startAll;
        QTest::newRow("behind let … in, its name in a string") << lines({"let", // 1
            "  notes = \"script = ''wrong()''\";", // 2
            "  # script = ''commented()'';", // 3
            "  script = ''", // 4
            "    start_all()", // 5
            "  '';", // 6
            "in", // 7
            "{", // 8
            "  testScript = let x = 1; in script;", // 9
            "}"}) << 9 << 3 << 4 << 12 << startAll;
    }

    void callersAgree()
    {
        QFETCH(QString, nix);
        QFETCH(int, attrLine);
        QFETCH(int, attrColumn);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, built);
        const ScriptLocation byText = locateScriptInSource(nix);
        const ScriptLocation byNix = locateScriptInSource(nix, attrLine, attrColumn);
        for (const ScriptLocation &loc : {byText, byNix}) {
            QVERIFY2(loc.mappable(), qPrintable(loc.error));
            QCOMPARE(loc.attrLine, attrLine);
            QCOMPARE(loc.attrColumn, attrColumn);
            QCOMPARE(loc.line, line);
            QCOMPARE(loc.column, column);
        }
        const ScriptLineMap map = ScriptLineMap::build(nix, byNix, built);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        // What lint and the type check read is what the build runs, line for line.
        const EditorScript editor = extractEditorScript(nix, true);
        QVERIFY(editor.found);
        QCOMPARE(editor.text, built);
        QCOMPARE(editor.fileLines.mid(0, map.nixLines().size()), map.nixLines());
    }

    // A script file's machines are those of the tests whose testScript reads
    // it, as the locator reads them: not a read in a comment.
    void companionsAreTheLocatorsReaders()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto write = [&dir](const char *name, const QString &text) {
            QFile f(QDir(dir.path()).filePath(QString::fromLatin1(name)));
            return f.open(QIODevice::WriteOnly) && f.write(text.toUtf8()) > 0;
        };
        const QString old = lines({"{", //
            "  nodes.ghost = { };", //
            "  # testScript = builtins.readFile ./script.py;", //
            "  testScript = ''", //
            "    ghost.start()", //
            "  '';", //
            "}"});
        QVERIFY(write("old.nix", old));
        QVERIFY(write("real.nix",
            lines({"{", //
                "  nodes.client = { };", //
                "  testScript = builtins.readFile ./script.py;", //
                "}"})));
        QVERIFY(write("script.py", QStringLiteral("client.start()\n")));
        QVERIFY(locateScriptInSource(old).valueFile.isEmpty());
        QCOMPARE(companionNodeNames(QDir(dir.path()).filePath(QStringLiteral("script.py"))),
            QStringList {QStringLiteral("client")});
    }

    void editWithoutRebuild()
    {
        const QString built = lines({"{ pkgs }:", // 1
            "{", // 2
            "  testScript = ''", // 3
            "    start_all()", // 4
            "    machine.succeed(\"${pkgs.hello}\")", // 5
            "  '';", // 6
            "}"});
        const QString builtScript
            = QStringLiteral("start_all()\nmachine.succeed(\"/nix/store/h\")\n");
        const ScriptLocation loc = locateScriptInSource(built);

        QString edited = built;
        edited.replace(QStringLiteral("    start_all()\n"),
            QStringLiteral("    start_all()\n    print(\"added\")\n      # deeper\n"));
        const ScriptEdit ok = ScriptEdit::check(built, builtScript, edited, loc);
        QVERIFY2(!ok.rebuildNeeded, qPrintable(ok.reason));
        QCOMPARE(ok.script,
            QStringLiteral("start_all()\nprint(\"added\")\n  # deeper\n"
                           "machine.succeed(\"/nix/store/h\")\n"));
        QCOMPARE(ok.lineMap.nixLines(), (QVector<int> {4, 5, 6, 7}));

        QString changed = built;
        changed.replace(QStringLiteral("${pkgs.hello}"), QStringLiteral("${pkgs.curl}"));
        const ScriptEdit anti = ScriptEdit::check(built, builtScript, changed, loc);
        QVERIFY(anti.rebuildNeeded);
        QVERIFY(anti.reason.contains(QStringLiteral("antiquotation")));

        QString added = built;
        added.replace(
            QStringLiteral("    start_all()\n"), QStringLiteral("    start_all() ${x}\n"));
        QVERIFY(ScriptEdit::check(built, builtScript, added, loc).rebuildNeeded);

        QString outside = built;
        outside.replace(QStringLiteral("{ pkgs }:"), QStringLiteral("{ pkgs, lib }:"));
        const ScriptEdit out = ScriptEdit::check(built, builtScript, outside, loc);
        QVERIFY(out.rebuildNeeded);
        QVERIFY(out.reason.contains(QStringLiteral("before")));

        QString unterminated = built;
        unterminated.replace(QStringLiteral("  '';"), QStringLiteral("  ;"));
        QVERIFY(ScriptEdit::check(built, builtScript, unterminated, loc).rebuildNeeded);
    }
};

QTEST_GUILESS_MAIN(TestScriptLineMap)
#include "tst_scriptlinemap.moc"
