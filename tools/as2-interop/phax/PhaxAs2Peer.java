import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.util.ByteArrayDataSource;
import jakarta.mail.MessagingException;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import com.helger.as2lib.cert.AbstractCertificateFactory;
import com.helger.as2lib.cert.CertificateFactory;
import com.helger.as2lib.client.AS2Client;
import com.helger.as2lib.client.AS2ClientRequest;
import com.helger.as2lib.client.AS2ClientResponse;
import com.helger.as2lib.client.AS2ClientSettings;
import com.helger.as2lib.crypto.ECompressionType;
import com.helger.as2lib.crypto.ECryptoAlgorithmCrypt;
import com.helger.as2lib.crypto.ECryptoAlgorithmSign;
import com.helger.as2lib.crypto.IMICMatchingHandler;
import com.helger.as2lib.disposition.DispositionOptions;
import com.helger.as2lib.message.AS2Message;
import com.helger.as2lib.message.AS2MessageMDN;
import com.helger.as2lib.message.IMessage;
import com.helger.as2lib.message.IMessageMDN;
import com.helger.as2lib.partner.Partnership;
import com.helger.as2lib.partner.SelfFillingPartnershipFactory;
import com.helger.as2lib.processor.CNetAttribute;
import com.helger.as2lib.exception.AS2Exception;
import com.helger.as2lib.processor.DefaultMessageProcessor;
import com.helger.as2lib.processor.module.AbstractProcessorModule;
import com.helger.as2lib.processor.storage.IProcessorStorageModule;
import com.helger.as2lib.processor.receiver.AS2ReceiverModule;
import com.helger.as2lib.processor.receiver.net.AS2ReceiverHandler;
import com.helger.as2lib.session.AS2Session;
import com.helger.as2lib.util.http.AS2HttpRequestDataProviderInputStream;
import com.helger.as2lib.util.http.HTTPHelper;
import com.helger.commons.collection.attr.StringMap;
import com.helger.commons.http.CHttpHeader;
import com.helger.commons.http.HttpHeaderMap;
import com.helger.security.keystore.EKeyStoreType;

/**
 * AS2 peer for interoperability tests: a thin command line around phax as2-lib, an AS2 implementation nobody here
 * wrote. "receive" feeds a raw HTTP request (headers file + body file) through as2-lib's own receiver handler (the
 * code its socket server and servlet run) and writes the sync MDN it answers; "send" builds a message with as2-lib's
 * client, POSTs it to a URL and verifies the sync MDN that comes back. Each command prints one JSON object on stdout;
 * as2-lib's log goes to stderr.
 */
public final class PhaxAs2Peer
{
  private static final char [] KEYSTORE_PASSWORD = "interop".toCharArray ();

  private PhaxAs2Peer ()
  {}

  public static void main (final String [] args) throws Exception
  {
    if (args.length == 0)
      throw usage ("missing command: receive or send");
    final Map <String, String> options = parseOptions (args);
    final Map <String, Object> result;
    switch (args[0])
    {
      case "receive":
        result = receive (options);
        break;
      case "send":
        result = send (options);
        break;
      default:
        throw usage ("unknown command " + args[0]);
    }
    System.out.println (toJson (result));
  }

  private static Map <String, Object> receive (final Map <String, String> o) throws Exception
  {
    final String sOwnId = required (o, "as2-id");
    final String sPartnerId = required (o, "partner-as2-id");

    final AS2Session aSession = new AS2Session ();
    final KeyStore aKeyStore = keyStore (sOwnId, required (o, "key"), required (o, "cert"));
    aKeyStore.setCertificateEntry (sPartnerId, readCertificate (required (o, "partner-cert")));
    aSession.setCertificateFactory (certificateFactory (aSession, aKeyStore));

    final SelfFillingPartnershipFactory aPartnerships = new SelfFillingPartnershipFactory ();
    aPartnerships.initDynamicComponent (aSession, null);
    final Partnership aPartnership = new Partnership (sPartnerId + "-" + sOwnId);
    aPartnership.setSenderAS2ID (sPartnerId);
    aPartnership.setReceiverAS2ID (sOwnId);
    // What as2-lib's self-filling factory does for a partnership it meets first (aliases, MIC over MIME headers).
    SelfFillingPartnershipFactory.ensureUsablePartnership (aPartnership);
    aPartnership.setForceVerify (o.containsKey ("require-signed"));
    aPartnership.setForceDecrypt (o.containsKey ("require-encrypted"));
    aPartnerships.addPartnership (aPartnership);
    aSession.setPartnershipFactory (aPartnerships);

    final DefaultMessageProcessor aProcessor = new DefaultMessageProcessor ();
    aProcessor.initDynamicComponent (aSession, null);
    // as2-lib hands the payload to its storage modules while the decrypted data still exists: keep it there.
    final PayloadKeeper aKeeper = new PayloadKeeper ();
    aKeeper.initDynamicComponent (aSession, null);
    aProcessor.addModule (aKeeper);
    aSession.setMessageProcessor (aProcessor);
    final AS2ReceiverModule aModule = new AS2ReceiverModule ();
    aModule.initDynamicComponent (aSession, null);
    final AS2ReceiverHandler aHandler = new AS2ReceiverHandler (aModule);

    // The request as its socket server reads it: request line, header lines, the exact body length, the body.
    final byte [] aBody = Files.readAllBytes (Path.of (required (o, "body")));
    final ByteArrayOutputStream aRequest = new ByteArrayOutputStream ();
    aRequest.write ("POST /as2 HTTP/1.1\r\n".getBytes (StandardCharsets.ISO_8859_1));
    for (final String [] aHeader : readHeaderLines (required (o, "headers")))
      if (!aHeader[0].equalsIgnoreCase (CHttpHeader.CONTENT_LENGTH) &&
          !aHeader[0].equalsIgnoreCase (CHttpHeader.TRANSFER_ENCODING))
        aRequest.write ((aHeader[0] + ": " + aHeader[1] + "\r\n").getBytes (StandardCharsets.ISO_8859_1));
    aRequest.write ((CHttpHeader.CONTENT_LENGTH + ": " + aBody.length + "\r\n\r\n").getBytes (StandardCharsets.ISO_8859_1));
    aRequest.write (aBody);

    final AS2Message aMsg = new AS2Message ();
    aMsg.attrs ().putIn (CNetAttribute.MA_DESTINATION_IP, "127.0.0.1");
    aMsg.attrs ().putIn (CNetAttribute.MA_DESTINATION_PORT, 0);
    aMsg.attrs ().putIn (AS2Message.ATTRIBUTE_RECEIVED, true);

    final int [] aStatus = { 0 };
    final HttpHeaderMap aResponseHeaders = new HttpHeaderMap ();
    final ByteArrayOutputStream aResponseBody = new ByteArrayOutputStream ();
    final com.helger.as2lib.util.http.IAS2HttpResponseHandler aResponder = (nCode, aHeaders, aData) -> {
      aStatus[0] = nCode;
      aResponseHeaders.setAllHeaders (aHeaders);
      aData.writeTo (aResponseBody);
    };
    final DataSource aData = HTTPHelper.readAndDecodeHttpRequest (new AS2HttpRequestDataProviderInputStream (new ByteArrayInputStream (aRequest.toByteArray ())),
                                                                  aResponder,
                                                                  aMsg,
                                                                  null);
    aHandler.handleIncomingMessage ("interop-test", aData, aMsg, aResponder);

    final Map <String, Object> aResult = new LinkedHashMap <> ();
    aResult.put ("httpStatus", aStatus[0]);
    aResult.put ("messageId", aMsg.getMessageID ());
    aResult.put ("signed", aMsg.attrs ().getAsBoolean (AS2Message.ATTRIBUTE_RECEIVED_SIGNED, false));
    aResult.put ("encrypted", aMsg.attrs ().getAsBoolean (AS2Message.ATTRIBUTE_RECEIVED_ENCRYPTED, false));
    aResult.put ("compressed", aMsg.attrs ().getAsBoolean (AS2Message.ATTRIBUTE_RECEIVED_COMPRESSED, false));
    final IMessageMDN aMdn = aMsg.getMDN ();
    aResult.put ("disposition", aMdn == null ? null : aMdn.attrs ().getAsString (AS2MessageMDN.MDNA_DISPOSITION));
    aResult.put ("mdnText", aMdn == null ? null : aMdn.getText ());
    aResult.put ("mic", aMdn == null ? null : aMdn.attrs ().getAsString (AS2MessageMDN.MDNA_MIC));
    aResult.put ("mdnSigned", aMdn != null && aMdn.getData () != null && aMdn.getData ().isMimeType ("multipart/signed"));
    aResult.put ("filename", aKeeper.m_sFilename);
    aResult.put ("payloadLength", aKeeper.m_aPayload == null ? null : aKeeper.m_aPayload.length);
    if (aKeeper.m_aPayload != null && o.containsKey ("out-payload"))
      Files.write (Path.of (o.get ("out-payload")), aKeeper.m_aPayload);
    if (o.containsKey ("out-mdn-headers"))
    {
      final StringBuilder aLines = new StringBuilder ();
      aResponseHeaders.forEachSingleHeader ( (sName, sValue) -> aLines.append (sName)
                                                                                 .append (": ")
                                                                                 .append (sValue.replaceAll ("\\r?\\n[ \\t]+", " "))
                                                                                 .append ("\r\n"), false);
      Files.write (Path.of (o.get ("out-mdn-headers")), aLines.toString ().getBytes (StandardCharsets.ISO_8859_1));
    }
    if (o.containsKey ("out-mdn-body"))
      Files.write (Path.of (o.get ("out-mdn-body")), aResponseBody.toByteArray ());
    return aResult;
  }

  private static Map <String, Object> send (final Map <String, String> o) throws Exception
  {
    final String sFrom = required (o, "as2-from");
    final String sTo = required (o, "as2-to");
    final KeyStore aKeyStore = keyStore (sFrom, required (o, "key"), required (o, "cert"));
    final ByteArrayOutputStream aKeyStoreBytes = new ByteArrayOutputStream ();
    aKeyStore.store (aKeyStoreBytes, KEYSTORE_PASSWORD);

    final AS2ClientSettings aSettings = new AS2ClientSettings ();
    aSettings.setKeyStore (EKeyStoreType.PKCS12, aKeyStoreBytes.toByteArray (), new String (KEYSTORE_PASSWORD));
    aSettings.setSenderData (sFrom, "phax-peer@interop.test", sFrom);
    aSettings.setReceiverData (sTo, sTo, required (o, "url"));
    aSettings.setReceiverCertificate (readCertificate (required (o, "partner-cert")));
    aSettings.setPartnershipName (sFrom + "-" + sTo);
    aSettings.setEncryptAndSign (o.containsKey ("encrypt") ? ECryptoAlgorithmCrypt.getFromIDOrThrow (o.get ("encrypt")) : null,
                                 o.containsKey ("sign") ? ECryptoAlgorithmSign.getFromIDOrThrow (o.get ("sign")) : null);
    if (o.containsKey ("compress"))
      aSettings.setCompress (ECompressionType.ZLIB, "before-signing".equals (o.get ("compress")));
    final String sMdn = o.getOrDefault ("mdn", "sync");
    aSettings.setMDNRequested (!"none".equals (sMdn));
    if (o.containsKey ("mdn-sign"))
      aSettings.setMDNOptions (new DispositionOptions ().setProtocolImportance (DispositionOptions.IMPORTANCE_REQUIRED)
                                                        .setProtocol (DispositionOptions.PROTOCOL_PKCS7_SIGNATURE)
                                                        .setMICAlgImportance (DispositionOptions.IMPORTANCE_REQUIRED)
                                                        .setMICAlg (ECryptoAlgorithmSign.getFromIDOrThrow (o.get ("mdn-sign"))));
    else
      aSettings.setMDNOptions ((String) null);
    if (o.containsKey ("mdn-url"))
      aSettings.setAsyncMDNUrl (o.get ("mdn-url"));
    aSettings.setRetryCount (0);

    final Map <String, Object> aMicCheck = new HashMap <> ();
    aSettings.setMICMatchingHandler (new IMICMatchingHandler ()
    {
      public void onMICMatch (final IMessage aMsg, final String sMIC)
      {
        aMicCheck.put ("micMatched", true);
        aMicCheck.put ("sentMic", sMIC);
        aMicCheck.put ("receivedMic", sMIC);
      }

      public void onMICMismatch (final IMessage aMsg, final String sOriginalMIC, final String sReceivedMIC)
      {
        aMicCheck.put ("micMatched", false);
        aMicCheck.put ("sentMic", sOriginalMIC);
        aMicCheck.put ("receivedMic", sReceivedMIC);
      }
    });

    final AS2ClientRequest aRequest = new AS2ClientRequest (o.getOrDefault ("subject", "AS2 interop test"));
    // A DataSource-backed handler: as2-lib's byte[] variant needs a JavaMail handler for the MIME type (none for EDI types).
    final String sContentType = o.getOrDefault ("content-type", "application/edi-consent");
    aRequest.setData (new DataHandler (new ByteArrayDataSource (Files.readAllBytes (Path.of (required (o, "payload"))), sContentType)));
    aRequest.setContentType (sContentType);
    if (o.containsKey ("filename"))
      aRequest.setFilename (o.get ("filename"));

    final AS2ClientResponse aResponse = new AS2Client ().sendSynchronous (aSettings, aRequest);

    final Map <String, Object> aResult = new LinkedHashMap <> ();
    aResult.put ("messageId", aResponse.getOriginalMessageID ());
    aResult.put ("error", aResponse.hasException () ? String.valueOf (aResponse.getException ()) : null);
    final IMessageMDN aMdn = aResponse.hasMDN () ? aResponse.getMDN () : null;
    aResult.put ("mdnReceived", aMdn != null);
    aResult.put ("disposition", aResponse.getMDNDisposition ());
    aResult.put ("mdnText", aResponse.getMDNText ());
    aResult.put ("mdnOriginalMessageId", aMdn == null ? null : aMdn.attrs ().getAsString (AS2MessageMDN.MDNA_ORIG_MESSAGEID));
    // as2-lib verifies a signed MDN against the receiver's certificate and sets this only when that succeeded.
    aResult.put ("mdnSignatureVerified", aMdn != null && aMdn.attrs ().getAsBoolean (AS2Message.ATTRIBUTE_RECEIVED_SIGNED, false));
    aResult.put ("micMatched", aMicCheck.getOrDefault ("micMatched", null));
    aResult.put ("sentMic", aMicCheck.getOrDefault ("sentMic", null));
    aResult.put ("receivedMic", aMicCheck.getOrDefault ("receivedMic", null));
    return aResult;
  }

  /** A storage module (as2-lib's "store" action) that keeps the received payload and its file name in memory. */
  private static final class PayloadKeeper extends AbstractProcessorModule implements IProcessorStorageModule
  {
    private byte [] m_aPayload;
    private String m_sFilename;

    public boolean canHandle (final String sAction, final IMessage aMsg, final Map <String, Object> aOptions)
    {
      return DO_STORE.equals (sAction);
    }

    public void handle (final String sAction, final IMessage aMsg, final Map <String, Object> aOptions) throws AS2Exception
    {
      try (InputStream aIS = aMsg.getData ().getInputStream ())
      {
        m_aPayload = aIS.readAllBytes ();
        m_sFilename = aMsg.getData ().getFileName ();
      }
      catch (final IOException | MessagingException ex)
      {
        throw new AS2Exception ("Cannot read the received payload", ex);
      }
    }
  }

  private static CertificateFactory certificateFactory (final AS2Session aSession, final KeyStore aKeyStore) throws Exception
  {
    final StringMap aParams = new StringMap ();
    aParams.putIn (AbstractCertificateFactory.ATTR_TYPE, EKeyStoreType.PKCS12.getID ());
    final CertificateFactory aFactory = new CertificateFactory ();
    aFactory.initDynamicComponent (aSession, aParams);
    aFactory.setPassword (new String (KEYSTORE_PASSWORD));
    aFactory.setSaveChangesToFile (false);
    final ByteArrayOutputStream aBytes = new ByteArrayOutputStream ();
    aKeyStore.store (aBytes, KEYSTORE_PASSWORD);
    aFactory.load (new ByteArrayInputStream (aBytes.toByteArray ()), KEYSTORE_PASSWORD);
    return aFactory;
  }

  /** A PKCS#12 key store holding one PEM key and its certificate under the AS2 id (as2-lib's alias convention). */
  private static KeyStore keyStore (final String sAlias, final String sKeyFile, final String sCertFile) throws Exception
  {
    final KeyStore aKeyStore = KeyStore.getInstance ("PKCS12");
    aKeyStore.load (null, null);
    aKeyStore.setKeyEntry (sAlias,
                           readPrivateKey (sKeyFile),
                           KEYSTORE_PASSWORD,
                           new Certificate [] { readCertificate (sCertFile) });
    return aKeyStore;
  }

  private static PrivateKey readPrivateKey (final String sFile) throws IOException
  {
    try (Reader aReader = new FileReader (sFile, StandardCharsets.US_ASCII); PEMParser aParser = new PEMParser (aReader))
    {
      final Object aObject = aParser.readObject ();
      final PrivateKeyInfo aInfo = aObject instanceof PEMKeyPair ? ((PEMKeyPair) aObject).getPrivateKeyInfo () : (PrivateKeyInfo) aObject;
      return new JcaPEMKeyConverter ().getPrivateKey (aInfo);
    }
  }

  private static X509Certificate readCertificate (final String sFile) throws Exception
  {
    try (Reader aReader = new FileReader (sFile, StandardCharsets.US_ASCII); PEMParser aParser = new PEMParser (aReader))
    {
      return new JcaX509CertificateConverter ().getCertificate ((X509CertificateHolder) aParser.readObject ());
    }
  }

  private static List <String []> readHeaderLines (final String sFile) throws IOException
  {
    final List <String []> aHeaders = new ArrayList <> ();
    for (final String sLine : Files.readAllLines (Path.of (sFile), StandardCharsets.ISO_8859_1))
    {
      final int nColon = sLine.indexOf (':');
      if (nColon > 0)
        aHeaders.add (new String [] { sLine.substring (0, nColon).trim (), sLine.substring (nColon + 1).trim () });
    }
    return aHeaders;
  }

  private static Map <String, String> parseOptions (final String [] args)
  {
    final Map <String, String> aOptions = new HashMap <> ();
    for (int i = 1; i < args.length; i++)
    {
      if (!args[i].startsWith ("--"))
        throw usage ("unexpected argument " + args[i]);
      final String sName = args[i].substring (2);
      final boolean bFlag = i + 1 >= args.length || args[i + 1].startsWith ("--");
      aOptions.put (sName, bFlag ? "" : args[++i]);
    }
    return aOptions;
  }

  private static String required (final Map <String, String> aOptions, final String sName)
  {
    final String sValue = aOptions.get (sName);
    if (sValue == null || sValue.isEmpty ())
      throw usage ("--" + sName + " is required");
    return sValue;
  }

  private static IllegalArgumentException usage (final String sProblem)
  {
    return new IllegalArgumentException (sProblem +
                                         "\nusage: PhaxAs2Peer receive --as2-id ID --key PEM --cert PEM --partner-as2-id ID --partner-cert PEM" +
                                         " --headers FILE --body FILE [--require-signed] [--require-encrypted]" +
                                         " [--out-payload FILE] [--out-mdn-headers FILE] [--out-mdn-body FILE]" +
                                         "\n       PhaxAs2Peer send --url URL --as2-from ID --as2-to ID --key PEM --cert PEM --partner-cert PEM" +
                                         " --payload FILE [--filename NAME] [--content-type TYPE] [--sign sha-256] [--encrypt aes256-cbc]" +
                                         " [--compress before-signing|after-signing] [--mdn sync|none] [--mdn-url URL] [--mdn-sign sha-256]");
  }

  private static String toJson (final Object aValue)
  {
    if (aValue == null)
      return "null";
    if (aValue instanceof Boolean || aValue instanceof Number)
      return aValue.toString ();
    if (aValue instanceof Map)
    {
      final StringBuilder aSB = new StringBuilder ("{");
      for (final Map.Entry <?, ?> aEntry : ((Map <?, ?>) aValue).entrySet ())
      {
        if (aSB.length () > 1)
          aSB.append (", ");
        aSB.append (toJson (aEntry.getKey ().toString ())).append (": ").append (toJson (aEntry.getValue ()));
      }
      return aSB.append ('}').toString ();
    }
    final StringBuilder aSB = new StringBuilder ("\"");
    for (final char c : aValue.toString ().toCharArray ())
    {
      if (c == '"' || c == '\\')
        aSB.append ('\\').append (c);
      else
        if (c < 0x20)
          aSB.append (String.format ("\\u%04x", (int) c));
        else
          aSB.append (c);
    }
    return aSB.append ('"').toString ();
  }
}
