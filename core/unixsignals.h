#pragma once

#include <QObject>

#include <initializer_list>

class QSocketNotifier;

namespace nixtide {

// Turns SIGINT/SIGTERM/SIGHUP into a Qt signal on the thread that created the
// watcher (self-pipe), so that the GUI and `nixtide run` can stop drivers and
// VMs in order instead of dying with them still running.
class UnixSignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit UnixSignalWatcher(std::initializer_list<int> signalNumbers, QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void signalReceived(int signalNumber);

private:
    void readPipe();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace nixtide
