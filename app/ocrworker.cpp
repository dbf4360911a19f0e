// nixtide-ocr: tesseract kept loaded between readings, for nixtide's own
// OCR of a machine's screen (core/ocr/ocrworker.h starts it).
//
// Why a process of its own and not libtesseract in the IDE: a crash or a
// hang of the recogniser must not take the IDE down, and a reading that
// runs too long is ended by killing it. Why not the tesseract command for
// each reading: loading the model is about 0.15 to 0.3 s of CPU, which is
// most of a reading that finds one line changed.
//
// Protocol, on standard input and output (nixtide gives both ends of one
// socket):
//   at start:  "ready 0\n", or "fatal <n>\n" and n bytes of message, then exit 1
//   request:   a binary PGM (P5, maxval 255): "P5\n<w> <h>\n255\n" and w*h
//              bytes, each side at most 16384
//   answer:    "tsv <n>\n" and n bytes of tesseract's TSV (as `tesseract
//              … tsv` prints it), or "error <n>\n" and a message
// A request that cannot be parsed is answered "fatal <n>\n" and a message,
// and ends the process (the stream is out of step); end of input ends it
// normally. Standard error is nixtide's.
//
// NIXTIDE_OCR_DUMP=DIR: each image is also written to DIR as
// input-<pid>-<n>.pgm before it is read (complete when it appears), to see
// what tesseract was given; the tests count readings with it.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string>
#include <tesseract/baseapi.h>
#include <unistd.h>
#include <vector>

namespace {

// The answers' descriptor: standard output as the process started. Standard
// output itself then goes to standard error, so that nothing a library
// prints can fall into the answers.
int answers = STDOUT_FILENO;

bool writeAll(const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t written = ::write(answers, data, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        data += written;
        size -= size_t(written);
    }
    return true;
}

bool answer(const char *kind, const std::string &body)
{
    const std::string head = std::string(kind) + ' ' + std::to_string(body.size()) + '\n';
    return writeAll(head.data(), head.size()) && writeAll(body.data(), body.size());
}

// Reads standard input unbuffered by stdio: the whole request is what the
// client sends before it waits for the answer.
class Input
{
public:
    // The next byte, or -1 at the end of input.
    int next()
    {
        if (m_at == m_filled && !fill())
            return -1;
        return static_cast<unsigned char>(m_buffer[m_at++]);
    }

    bool read(unsigned char *into, size_t size)
    {
        while (size > 0) {
            if (m_at == m_filled && !fill())
                return false;
            const size_t take = std::min(size, m_filled - m_at);
            std::memcpy(into, m_buffer + m_at, take);
            m_at += take;
            into += take;
            size -= take;
        }
        return true;
    }

private:
    bool fill()
    {
        ssize_t got;
        do
            got = ::read(STDIN_FILENO, m_buffer, sizeof m_buffer);
        while (got < 0 && errno == EINTR);
        m_at = 0;
        m_filled = got > 0 ? size_t(got) : 0;
        return got > 0;
    }

    char m_buffer[65536];
    size_t m_at = 0;
    size_t m_filled = 0;
};

// A header number: digits after optional whitespace; -1 if there are none.
long headerNumber(Input &in, int *after)
{
    int c = in.next();
    while (c == ' ' || c == '\n' || c == '\t' || c == '\r')
        c = in.next();
    long value = -1;
    while (c >= '0' && c <= '9' && value < 1000000) {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        c = in.next();
    }
    *after = c;
    return value;
}

constexpr long kLargestSide = 16384;

// Writes the image under a temporary name first: a file that has its final
// name is whole.
void dump(
    const char *dir, int index, long width, long height, const std::vector<unsigned char> &pixels)
{
    const std::string base = std::string(dir) + "/input-" + std::to_string(::getpid()) + '-'
        + std::to_string(index) + ".pgm";
    const std::string partial = base + ".part";
    FILE *file = std::fopen(partial.c_str(), "wb");
    if (!file)
        return;
    std::fprintf(file, "P5\n%ld %ld\n255\n", width, height);
    const bool whole = std::fwrite(pixels.data(), 1, pixels.size(), file) == pixels.size();
    if (std::fclose(file) == 0 && whole)
        std::rename(partial.c_str(), base.c_str());
    else
        std::remove(partial.c_str());
}

} // namespace

int main()
{
    answers = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (answers < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        return 1;
    tesseract::TessBaseAPI api;
    if (api.Init(nullptr, "eng", tesseract::OEM_DEFAULT) != 0) {
        answer("fatal",
            "tesseract could not load its English model (is tesseract-ocr-eng installed?)");
        return 1;
    }
    // The settings nixtide's OCR has always used with the command:
    // sparse text (`--psm 11`: a screen is not a page), no debug output.
    api.SetVariable("debug_file", "/dev/null");
    api.SetPageSegMode(tesseract::PSM_SPARSE_TEXT);
    if (!answer("ready", {})) // "ready 0\n": the same header as every answer
        return 1;

    const char *dumpDir = std::getenv("NIXTIDE_OCR_DUMP");
    Input in;
    std::vector<unsigned char> pixels;
    for (int index = 0;; ++index) {
        const int p = in.next();
        if (p < 0)
            return 0; // the client closed its end
        int after = 0;
        if (p != 'P' || in.next() != '5') {
            answer("fatal", "a request must be a binary PGM (P5)");
            return 2;
        }
        const long width = headerNumber(in, &after);
        const long height = headerNumber(in, &after);
        const long maxval = headerNumber(in, &after);
        if (width <= 0 || height <= 0 || width > kLargestSide || height > kLargestSide
            || maxval != 255 || (after != '\n' && after != ' ')) {
            answer("fatal",
                "bad PGM header: width " + std::to_string(width) + ", height "
                    + std::to_string(height) + ", maxval " + std::to_string(maxval));
            return 2;
        }
        pixels.resize(size_t(width) * size_t(height));
        if (!in.read(pixels.data(), pixels.size())) {
            answer("fatal", "the input ended inside an image");
            return 2;
        }
        if (dumpDir && *dumpDir)
            dump(dumpDir, index, width, height, pixels);
        api.SetImage(pixels.data(), int(width), int(height), 1, int(width));
        const std::unique_ptr<char[]> tsv(api.GetTSVText(0));
        const bool sent
            = tsv ? answer("tsv", tsv.get()) : answer("error", "tesseract read nothing");
        api.Clear();
        if (!sent)
            return 1;
    }
}
