package io.topaz.agent.gateway;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a {@code /router/rest} call: the query string, then the body — a form, or multipart fields and
 * files. Every value is strict UTF-8 ({@link FormParameters}); a name given twice, in one place or across them, is 43.
 */
final class RequestParameters {

    private RequestParameters() {
    }

    /** Fills {@code params} and {@code files}; returns the TOP error for malformed input, else null. */
    static TopError decode(FullHttpRequest req, String query, Map<String, String> params, List<FilePart> files,
                           int maxParameters) {
        TopError e = FormParameters.decodeQuery(query, params, maxParameters);
        if (e != null || !HttpMethod.POST.equals(req.method()) || !req.content().isReadable()) {
            return e;
        }
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (type.regionMatches(true, 0, "multipart/form-data", 0, "multipart/form-data".length())) {
            e = multipart(req, params, files);
        } else {
            e = FormParameters.decode(ByteBufUtil.getBytes(req.content()), params, maxParameters);
        }
        if (e == null && params.size() + files.size() > maxParameters) {
            return TopError.of(41, "isv.too-many-parameters", "at most " + maxParameters + " parameters");
        }
        return e;
    }

    private static TopError multipart(FullHttpRequest req, Map<String, String> params, List<FilePart> files) {
        HttpPostRequestDecoder decoder;
        try {
            decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), req, StandardCharsets.UTF_8);
        } catch (DecoderException e) {
            return TopError.of(47, "isv.invalid-encoding", "the multipart body could not be read");
        }
        try {
            for (InterfaceHttpData d : decoder.getBodyHttpDatas()) {
                if (d instanceof Attribute a) {
                    // the raw bytes, decoded strictly: the decoder's own text would turn bad UTF-8 into U+FFFD
                    byte[] raw = a.get();
                    String value = FormParameters.utf8(raw, 0, raw.length);
                    if (value == null) {
                        return FormParameters.invalidEncoding(a.getName());
                    }
                    if (params.putIfAbsent(a.getName(), value) != null) {
                        return FormParameters.duplicate(a.getName());
                    }
                } else if (d instanceof FileUpload f) {
                    // File parts are not signed (TOP); they are forwarded as file parts.
                    if (params.containsKey(f.getName()) || files.stream().anyMatch(x -> x.name().equals(f.getName()))) {
                        return FormParameters.duplicate(f.getName());
                    }
                    files.add(new FilePart(f.getName(), f.getFilename(), f.getContentType(), f.get()));
                }
            }
            return null;
        } catch (DecoderException | IllegalArgumentException | IOException e) {
            return TopError.of(47, "isv.invalid-encoding", "the multipart body could not be read");
        } finally {
            decoder.destroy();
        }
    }
}
