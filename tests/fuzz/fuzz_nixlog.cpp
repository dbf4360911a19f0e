// Nix's `--log-format internal-json` stream: one `@nix {…}` line at a time,
// then the error it reports (classified, position mapped).
#include "core/nix/nixlog.h"
#include "fuzzinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nixtide::NixLogParser parser;
    int calls = 0;
    parser.onProgress = [&calls](const nixtide::NixProgress &p) { calls += p.toJson().size(); };
    parser.onLogLine = [&calls](const QString &drv, const QString &line) {
        calls += int(drv.size() + line.size() > 0);
    };
    parser.onMessage = [&calls](const QString &text) { calls += int(text.isEmpty()); };
    for (const QByteArray &line : nixtide::fuzz::bytes(data, size).split('\n'))
        parser.feed(line);
    const nixtide::NixError error = parser.error();
    (void)error.toText();
    (void)error.toJson();
    return 0;
}
