// TOP's Node.js message client, ali-topsdk 2.0.5's TmcClient, unmodified, against a Topaz broker port.
// Usage: node client.js <ws url> <app key> <secret> <group> <publish topic> <publish content>
// Prints one line per event, "<EVENT> <json>": RECEIVED for every pushed message (then confirmed through the
// client's own callback), SENDACK for the answer to the one publish. Runs until killed (the test stops it).
//
// The package's TmcClient has no publish method: the publish is a SEND frame (__kind 3) encoded by the package's own
// TmcCodec and sent on the client's connection once it is connected; its SENDACK is read with the same codec.
'use strict';

const { TmcClient } = require('ali-topsdk');
const { TmcCodec } = require('ali-topsdk/lib/tmc/tmcCodec.js');

const [url, appKey, secret, group, topic, content] = process.argv.slice(2);
const codec = new TmcCodec();
const client = new TmcClient(appKey, secret, group);

function print(event, fields) {
  process.stdout.write(event + ' ' + JSON.stringify(fields) + '\n');
}

client.connect(url, (message, confirm) => {
  print('RECEIVED', { id: message.id, topic: message.topic, content: message.content, userid: message.userid,
    nick: message.nick, publisher: message.publisher });
  confirm(); // no error: the client sends the confirm frame (__kind 2) for message.id
});

let published = false;
const waitForConnection = setInterval(() => {
  if (published || !client._token || !client._ws) {
    return;
  }
  published = true;
  clearInterval(waitForConnection);
  print('CONNECTED', { token: client._token });
  client._ws.on('message', (data) => {
    const m = codec.readMessage(data);
    if (m && m.messageType === 3) { // SENDACK
      print('SENDACK', { flag: m.flag, statusCode: m.statusCode || 0, statusPhrase: m.statusPhase || null,
        id: m.id || null });
    }
  });
  const frame = codec.writeMessage({ messageType: 2, flag: 7, token: client._token,
    content: { __kind: 3, topic: topic, content: content } });
  client._ws.send(frame, { binary: true, mask: true });
}, 50);
