// DAP from the agent (or any adapter): Content-Length framing fed in pieces
// of every size, and the messages dispatched by DapClient (responses matched
// to pending requests, events, reverse requests, capabilities).
#include "core/dap/dapclient.h"
#include "core/dap/dapframer.h"
#include "core/dap/daptransport.h"
#include "fuzzinput.h"

#include <QCoreApplication>

namespace {

class FeedTransport : public nixtide::DapTransport
{
public:
    bool isOpen() const override { return true; }
    void write(const QByteArray &bytes) override { written += bytes.size(); }
    void close() override { }
    void deliver(const QByteArray &bytes) { Q_EMIT bytesReceived(bytes); }
    qsizetype written = 0;
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // DapClient's watchdog is a QTimer. Never destroyed: a static
    // QCoreApplication would outlive Qt's own globals at exit.
    new QCoreApplication(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = nixtide::fuzz::bytes(data, size);
    // The first byte chooses the piece size: frames split anywhere.
    const qsizetype piece = input.isEmpty() ? 1 : 1 + (uchar(input.at(0)) % 64);

    nixtide::DapFramer framer;
    for (qsizetype at = 0; at < input.size(); at += piece)
        framer.feed(input.mid(at, piece));

    FeedTransport transport;
    nixtide::DapClient client(&transport);
    int answers = 0;
    // Requests 1 to 3 pending, so that responses find something to match.
    for (const char *command : {"initialize", "threads", "evaluate"})
        client.postRequest(QString::fromLatin1(command), {},
            [&answers](const nixtide::DapResponse &r) { answers += int(r.success); });
    QObject::connect(&client, &nixtide::DapClient::reverseRequestReceived, &client,
        [&client](const QJsonObject &request) { client.postResponse(request, false); });
    for (qsizetype at = 0; at < input.size(); at += piece)
        transport.deliver(input.mid(at, piece));
    return 0;
}
